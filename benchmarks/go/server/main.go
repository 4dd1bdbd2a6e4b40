// Command server is the Go peer of the gonetpoll benchmarks: net/http hello and blocking
// servers and a TCP echo server, answering exactly as the Java examples do.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

var body = []byte("Hello, World!")

func hello(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{"text/plain"}
	h["Content-Length"] = []string{"13"}
	w.Write(body)
}

func main() {
	mode := flag.String("mode", "hello", "hello, blocking (1 ms sleep per request) or echo")
	port := flag.Int("port", 8080, "TCP port")
	sleep := flag.Duration("sleep", time.Millisecond, "blocking mode: time each request sleeps")
	flag.Parse()

	ln, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}
	switch *mode {
	case "hello":
		fmt.Printf("go hello listening on http://0.0.0.0:%d/\n", *port)
		log.Fatal(http.Serve(ln, http.HandlerFunc(hello)))
	case "blocking":
		fmt.Printf("go blocking listening on http://0.0.0.0:%d/\n", *port)
		log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(*sleep)
			hello(w, r)
		})))
	case "echo":
		fmt.Printf("go echo listening on tcp://0.0.0.0:%d/\n", *port)
		for {
			c, err := ln.Accept()
			if err != nil {
				log.Fatal(err)
			}
			go func(c net.Conn) {
				defer c.Close()
				io.Copy(c, c)
			}(c)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
}
