module wire.example/interop/dataexchange

go 1.22

require github.com/pilot-protocol/dataexchange v0.0.0

// As go.mod, at the tagged release v0.2.1-beta.1.
replace github.com/pilot-protocol/dataexchange => ../../../shared/reference/go-dataexchange/v0.2.1-beta.1
