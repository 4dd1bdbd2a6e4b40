module gonetpoll.dev/benchmarks/harness

// Standard library only (Debian's golang-go, 1.19 on bookworm): builds offline.
go 1.19
