// Command echoload drives a TCP echo server (benchmark S4): C connections each write a message of
// -size bytes and read it back completely, over and over, for -duration. It checks every byte and
// prints "bytes_per_sec <B/s> messages <n> errors <n>" (bytes counted once, in the echo direction).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	conns := flag.Int("c", 16, "connections")
	size := flag.Int("size", 64*1024, "message size in bytes")
	duration := flag.Duration("duration", 10*time.Second, "how long to measure")
	flag.Parse()

	var total, messages, errors int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			msg := make([]byte, *size)
			rand.New(rand.NewSource(seed)).Read(msg)
			back := make([]byte, *size)
			c, err := net.DialTimeout("tcp", *addr, 10*time.Second)
			if err != nil {
				atomic.AddInt64(&errors, 1)
				return
			}
			defer c.Close()
			for time.Now().Before(deadline) {
				c.SetDeadline(time.Now().Add(30 * time.Second))
				done := make(chan error, 1)
				go func() { _, err := c.Write(msg); done <- err }()
				if _, err := io.ReadFull(c, back); err != nil {
					atomic.AddInt64(&errors, 1)
					return
				}
				if err := <-done; err != nil {
					atomic.AddInt64(&errors, 1)
					return
				}
				if !bytes.Equal(msg, back) {
					atomic.AddInt64(&errors, 1)
					return
				}
				atomic.AddInt64(&total, int64(*size))
				atomic.AddInt64(&messages, 1)
			}
		}(int64(i))
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	fmt.Printf("bytes_per_sec %.0f messages %d errors %d\n", float64(total)/elapsed, messages, errors)
	if errors > 0 {
		os.Exit(1)
	}
}
