# wire: the two commands of the README are `make demo` and `make test`.
SHELL := bash
CARGO ?= cargo
WIRE_BIN := $(CURDIR)/target/release/wire
FUZZ_SECONDS ?= 5

.PHONY: demo test test-all test-rust test-cli-demo test-go test-filestream test-fuzz bench build clean \
	build-python test-python bench-python build-node test-node bench-node build-c install-c test-c \
	bench-c relay-sink test-relay dist test-dist dist-tools

build:
	@echo "==> building the wire CLI (release)"
	$(CARGO) build --release -p wire-cli

## demo: build the CLI and the three bindings, then the cross-language relay: Python encodes one
## frame of every frame type of every protocol -> TCP -> Node (decodeStream, encode) -> TCP -> C
## (wire_decoder), which prints each frame; the table says whether the bytes arrived identical.
RELAY_SINK := $(CURDIR)/target/relay/sink
RELAY = $(PY) examples/relay/relay.py --sink $(RELAY_SINK) --node-path $(NODE_PATH_DIR)

demo:
	@echo "==> [1/5] the wire CLI (Rust, release build)"
	@$(MAKE) --no-print-directory build
	@echo "==> [2/5] the Python binding (pip install ./bindings-python into target/venv)"
	@$(MAKE) --no-print-directory build-python
	@echo "==> [3/5] the Node binding (npm ci in bindings-node: builds the addon)"
	@$(MAKE) --no-print-directory build-node
	@echo "==> [4/5] the C library (libwire.a/.so + libwire.pc into target/c-install) and the relay's C sink"
	@$(MAKE) --no-print-directory relay-sink
	@echo "==> [5/5] the relay"
	@$(RELAY) --show-json

## test-relay: the demo's relay in its test form (also 1-byte and random-sized writes).
test-relay: build-python build-node relay-sink
	@echo "==> cross-language relay (Python -> Node -> C)"
	$(MYPY) --strict examples/relay/relay.py
	$(RELAY) --test

relay-sink: install-c
	@mkdir -p $(dir $(RELAY_SINK))
	export PKG_CONFIG_PATH=$(C_PREFIX)/lib/pkgconfig; \
	gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $$(pkg-config --cflags libwire) \
	  -o $(RELAY_SINK) examples/relay/sink.c $$(pkg-config --libs libwire) -Wl,-rpath,$(C_PREFIX)/lib

## test: every suite (Rust unit/vector/property/interop/CLI tests, fuzz, Go interop, the
## bindings, the relay), each one even after another failed (make -k), then one summary line
## counting every suite's tests; exits non-zero when a suite failed (its tests, or its build).
## TEST_SUITES picks a subset: make test TEST_SUITES="test-c test-node".
TEST_SUITES ?= test-rust test-cli-demo test-go test-fuzz test-python test-node test-c test-relay test-filestream \
	test-dist

test:
	@mkdir -p target
	@$(MAKE) --no-print-directory -k test-all 2>&1 | tee target/test.log; status=$${PIPESTATUS[0]}; \
	scripts/test-summary target/test.log; summary=$$?; \
	failed=$$(sed -n 's/^make\[[0-9]*\]: \*\*\* \[[^]]*: \([^]]*\)\].*/\1/p' target/test.log | sort -u | xargs); \
	if [ -n "$$failed" ]; then echo "wire: failed targets: $$failed"; fi; \
	if [ $$status -ne 0 ]; then exit $$status; fi; exit $$summary

test-all: $(TEST_SUITES)

test-rust:
	@echo "==> cargo fmt --check"
	$(CARGO) fmt --all -- --check
	@echo "==> cargo test (workspace, all features)"
	$(CARGO) test --workspace --all-features
	@echo "==> Rust examples (examples/rust)"
	$(CARGO) build -q -p wire-examples
	@for ex in examples/rust/src/bin/*.rs; do \
	  name=$$(basename $$ex .rs); echo "--> $$name"; \
	  $(CARGO) run -q -p wire-examples --bin $$name || exit 1; \
	done

test-cli-demo: build
	@echo "==> CLI demo as a test"
	WIRE_BIN=$(WIRE_BIN) examples/cli-demo.sh

test-go: build
	@echo "==> Go interop (dataexchange)"
	WIRE_BIN=$(WIRE_BIN) interop/go-dataexchange/run.sh

## test-filestream: live TypeFileStream transfers over loopback between the real Go reference
## (receiver and sender, built from ../shared/reference) and the examples/*/filestream_* senders
## and receivers in Python, Node and C; SKIP where Go or ../shared is missing.
test-filestream: build-python build-node install-c
	@echo "==> live TypeFileStream transfers (Go reference <-> Python, Node, C)"
	$(MAKE) -C examples/c all PREFIX=$(C_PREFIX) OUT=$(CURDIR)/target/c/examples
	python3 interop/go-dataexchange/filestream.py --python $(PY) --node-path $(NODE_PATH_DIR) \
	  --c-bin $(CURDIR)/target/c/examples

## test-fuzz: a short libFuzzer run of every target when nightly + cargo-fuzz are present;
## the targets' corpus replay always runs inside `cargo test` (core/tests/fuzz_corpus.rs).
test-fuzz:
	@fuzz/smoke.sh $(FUZZ_SECONDS)

bench:
	$(CARGO) bench --workspace

## dist: prebuilt artefacts in dist/ (wheels for CPython 3.9-3.13 and the sdist, the npm main and
## platform packages, the C tarball), every binary linked against glibc 2.17 through zig. The
## tools come from the registries: maturin and ziglang into target/dist-tools, cargo-zigbuild.
DIST_TOOLS := $(CURDIR)/target/dist-tools
DIST_PATH := $(DIST_TOOLS)/bin:$(PATH)

dist-tools:
	@test -x $(DIST_TOOLS)/bin/maturin || { $(PYTHON) -m venv $(DIST_TOOLS) && \
	  $(DIST_TOOLS)/bin/pip install -q --disable-pip-version-check maturin==1.16.0 ziglang==0.17.1; }
	@command -v cargo-zigbuild >/dev/null || $(CARGO) install --locked --quiet cargo-zigbuild@0.24.1

dist: dist-tools
	PATH=$(DIST_PATH) scripts/dist

## test-dist: dist/ for the system python3 only (CI time), then each artefact installed with
## PATH=/usr/bin:/bin into a fresh venv, npm project and prefix, and tested there.
DIST_TEST_PYTHON = $(shell /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')

test-dist: dist-tools build
	PATH=$(DIST_PATH) DIST_PYTHONS="$(DIST_TEST_PYTHON)" scripts/dist
	WIRE_BIN=$(WIRE_BIN) scripts/test-dist

## Python binding: a venv in target/venv with `pip install ./bindings-python` (maturin builds the
## extension; only PyPI is needed), pytest and mypy.
PYTHON ?= python3
PY_VENV := $(CURDIR)/target/venv
PY := $(PY_VENV)/bin/python
MYPY := $(PY) -m mypy --cache-dir $(CURDIR)/target/mypy-cache

build-python:
	@echo "==> Python binding: pip install ./bindings-python into target/venv"
	@test -x $(PY) || $(PYTHON) -m venv $(PY_VENV)
	$(PY) -m pip install -q --disable-pip-version-check pytest mypy
	$(PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings-python

## test-python: every vector section, the API, examples/python and asyncio over loopback
## (pytest); mypy --strict on the package and the examples; stubtest of the native module.
test-python:
	@if ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
		echo "SKIP python binding: $(PYTHON) has no venv/ensurepip module"; \
	else \
		$(MAKE) --no-print-directory build-python && \
		cd bindings-python && $(PY) -m pytest -p no:cacheprovider tests && \
		$(MYPY) --strict -p wire && \
		$(MYPY) --strict $(CURDIR)/examples/python && \
		$(PY) -m mypy.stubtest wire._wire; \
	fi

bench-python: build-python
	$(PY) -m pip install -q --disable-pip-version-check protobuf grpcio-tools
	$(PY) bindings-python/benches/bench.py

## Node binding (bindings-node): `npm ci` installs exactly the committed lock (it fails instead of
## rewriting a stale one, and starts from an empty node_modules); the package's install script
## (scripts/install.js) then builds the addon from source (napi build --release; cargo's target
## dir keeps that incremental).
NODE_PATH_DIR := $(CURDIR)/target/node-path

build-node:
	@echo "==> Node binding: npm ci (builds the addon from source)"
	cd bindings-node && npm ci --no-audit --no-fund
	@mkdir -p $(NODE_PATH_DIR) && ln -sfn $(CURDIR)/bindings-node $(NODE_PATH_DIR)/wire-codec

## test-node: node --test (vectors, API, socket, memory, generated files, npm pack + install),
## tsc --strict over the examples against lib/wire.d.ts, then every example.
test-node: build-node
	@echo "==> node --test"
	cd bindings-node && node --test --test-reporter=tap test/
	@echo "==> tsc --noEmit --strict over examples/node"
	bindings-node/node_modules/.bin/tsc -p examples/node/tsconfig.json
	@echo "==> examples/node"
	@set -e; for f in examples/node/*.js; do echo "--> $$f"; NODE_PATH=$(NODE_PATH_DIR) node $$f; done

bench-node: build-node
	cd bindings-node && node benches/run.js

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
	@$(MAKE) --no-print-directory install-c
	$(MAKE) -C examples/c run PREFIX=$(C_PREFIX) OUT=$(CURDIR)/target/c/examples

install-c:
	$(MAKE) -C bindings-c install PREFIX=$(C_PREFIX)

bench-c:
	$(MAKE) -C bindings-c bench

clean:
	$(CARGO) clean
	rm -rf fuzz/target
