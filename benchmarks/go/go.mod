module gonetpoll.dev/benchmarks

go 1.19
