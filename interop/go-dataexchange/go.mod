module wire.example/interop/dataexchange

go 1.22

require github.com/pilot-protocol/dataexchange v0.0.0

// The reference source beside the checkout (../shared/reference, AGPL: built from there, never
// copied into wire); run.sh passes -modfile=go.v0.2.1-beta.1.mod for the tagged release.
replace github.com/pilot-protocol/dataexchange => ../../../shared/reference/go-dataexchange/main-772ffb9
