module wire.example/interop/dataexchange

go 1.22

require github.com/pilot-protocol/dataexchange v0.2.1-beta.1
