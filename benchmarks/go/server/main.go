// Command server is the Go peer of gonetpoll's benchmarks (benchmarks/README.md): Go's net/http
// for the HTTP scenarios and a plain net TCP echo for S4. Standard library only.
//
//	server -mode hello|blocking|echo [-host H] [-port N] [-sleep-ms MS]
//
// Once bound it prints one line containing " listening on ", as the Java example servers do, and
// serves until it is stopped by a signal. Exit codes: 2 for bad arguments, 1 if it cannot listen.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"gonetpoll.dev/benchmarks/go/internal/cli"
)

// helloBody is the 13-byte body every hello server of the benchmarks answers with.
var helloBody = []byte("Hello, World!")

// echoBufferSize is the read buffer of one echo connection: one S4 message.
const echoBufferSize = 64 * 1024

func main() {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	mode := flags.String("mode", "hello", "hello (HTTP hello world), blocking (hello after a sleep in the handler) or echo (TCP echo)")
	host := flags.String("host", "0.0.0.0", "address to bind")
	port := flags.Int("port", 8080, "TCP port, 0 for an ephemeral port")
	sleepMillis := flags.Int("sleep-ms", 1, "blocking: how long the handler sleeps per request, in milliseconds")
	cli.Parse(flags, os.Args[1:], func(rest []string) error { return checkArgs(rest, *mode, *port, *sleepMillis) })

	address := net.JoinHostPort(*host, strconv.Itoa(*port))
	listener, err := net.Listen("tcp", address)
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: cannot listen on %s: %v\n", address, err)
		os.Exit(1)
	}
	boundPort := listener.Addr().(*net.TCPAddr).Port
	scheme := "http"
	if *mode == "echo" {
		scheme = "tcp"
	}
	fmt.Printf("go %s listening on %s://%s/\n", *mode, scheme, net.JoinHostPort(*host, strconv.Itoa(boundPort)))

	switch *mode {
	case "hello":
		err = serveHTTP(listener, http.HandlerFunc(hello))
	case "blocking":
		err = serveHTTP(listener, blocking(time.Duration(*sleepMillis)*time.Millisecond))
	case "echo":
		err = serveEcho(listener)
	}
	fmt.Fprintf(os.Stderr, "server: %v\n", err)
	os.Exit(1)
}

// checkArgs rejects what the flag package lets through.
func checkArgs(rest []string, mode string, port, sleepMillis int) error {
	if mode != "hello" && mode != "blocking" && mode != "echo" {
		return fmt.Errorf("unknown mode %q (hello, blocking or echo)", mode)
	}
	if port > 65535 {
		return fmt.Errorf("-port must be at most 65535, not %d", port)
	}
	return cli.FirstError(cli.NoArguments(rest), cli.AtLeast("-port", port, 0), cli.AtLeast("-sleep-ms", sleepMillis, 0))
}

// serveHTTP serves HTTP/1.1 with keep-alive and no idle timeout, so that S3's idle connections stay open.
func serveHTTP(listener net.Listener, handler http.Handler) error {
	server := &http.Server{Handler: handler}
	return server.Serve(listener)
}

func hello(w http.ResponseWriter, _ *http.Request) {
	header := w.Header()
	header.Set("Content-Type", "text/plain")
	header.Set("Content-Length", strconv.Itoa(len(helloBody)))
	_, _ = w.Write(helloBody)
}

// blocking answers like hello after sleeping in the handler: net/http runs every connection on its
// own goroutine, so the sleep holds back only that connection.
func blocking(sleep time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(sleep)
		hello(w, r)
	})
}

// serveEcho echoes every connection on its own goroutine.
func serveEcho(listener net.Listener) error {
	for {
		conn, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return err
		}
		if err != nil {
			// E.g. out of file descriptors: say so and retry later instead of spinning or giving up.
			fmt.Fprintf(os.Stderr, "server: accept: %v\n", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go echo(conn)
	}
}

// echo copies what it reads back through a user-space buffer. Deliberately not io.Copy: on Linux
// that splices TCP to TCP inside the kernel, which none of the Netty echo servers do, and S4
// compares transports doing the same work.
func echo(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, echoBufferSize)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(os.Stderr, "server: echo %s: %v\n", conn.RemoteAddr(), err)
			}
			return
		}
	}
}
