# wire: the two commands of the README are `make demo` and `make test`.
SHELL := bash
CARGO ?= cargo
WIRE_BIN := $(CURDIR)/target/release/wire
FUZZ_SECONDS ?= 5

.PHONY: demo test test-all test-rust test-cli-demo test-go test-fuzz bench build clean build-c test-c bench-c

build:
	@echo "==> building the wire CLI (release)"
	$(CARGO) build --release -p wire-cli

## demo: round-trip one reference frame of every protocol through the `wire` CLI
demo: build
	@echo "==> each protocol's first reference vector: wire decode -> canonical JSON -> wire encode"
	WIRE_BIN=$(WIRE_BIN) examples/cli-demo.sh

## test: everything that exists (Rust unit/vector/property/interop/CLI tests, fuzz, Go interop),
## then one summary line counting every suite's tests.
test:
	@mkdir -p target
	@set -o pipefail; $(MAKE) --no-print-directory test-all 2>&1 | tee target/test.log
	@scripts/test-summary target/test.log

test-all: test-rust test-cli-demo test-go test-fuzz test-c

test-rust:
	@echo "==> cargo fmt --check"
	$(CARGO) fmt --all -- --check
	@echo "==> cargo test (workspace, all features)"
	$(CARGO) test --workspace --all-features
	$(CARGO) run -q -p wire-core --example quickstart

test-cli-demo: build
	@echo "==> CLI demo as a test"
	WIRE_BIN=$(WIRE_BIN) examples/cli-demo.sh

test-go: build
	@echo "==> Go interop (dataexchange)"
	WIRE_BIN=$(WIRE_BIN) interop/go-dataexchange/run.sh

## test-fuzz: a short libFuzzer run of every target when nightly + cargo-fuzz are present;
## the targets' corpus replay always runs inside `cargo test` (core/tests/fuzz_corpus.rs).
test-fuzz:
	@fuzz/smoke.sh $(FUZZ_SECONDS)

bench:
	$(CARGO) bench --workspace

C_PREFIX := $(CURDIR)/target/c-install

## build-c: libwire.a, libwire.so and libwire.pc (release)
build-c:
	$(MAKE) -C bindings-c build

## test-c: the C suites (vectors + API; static link with the pinned libs, valgrind, ASan/UBSan),
## then every example in examples/c built against the installed pkg-config file. The header
## check runs in `cargo test` (bindings-c/tests/header.rs).
test-c:
	@echo "==> C library (bindings-c)"
	$(MAKE) -C bindings-c test
	$(MAKE) -C bindings-c install PREFIX=$(C_PREFIX)
	$(MAKE) -C examples/c run PREFIX=$(C_PREFIX) OUT=$(CURDIR)/target/c/examples

bench-c:
	$(MAKE) -C bindings-c bench

clean:
	$(CARGO) clean
	rm -rf fuzz/target
