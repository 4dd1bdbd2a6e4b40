module gonetpoll.dev/benchmarks/go

// Standard library only (Debian's golang-go, 1.19 on bookworm): builds offline.
go 1.19
