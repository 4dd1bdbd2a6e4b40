// Command idleconns opens N keep-alive HTTP connections, makes one request on each so that each is
// established at the HTTP level, prints "ready N", and holds them until killed (benchmark S3).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	n := flag.Int("n", 10000, "connections")
	parallel := flag.Int("parallel", 64, "connections being opened at once")
	hold := flag.Duration("hold", time.Hour, "how long to hold them")
	flag.Parse()

	conns := make([]net.Conn, *n)
	var failures int
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := open(*addr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			conns[i] = c
		}(i)
	}
	wg.Wait()
	if failures > 0 {
		fmt.Fprintf(os.Stderr, "%d of %d connections failed, first: %v\n", failures, *n, firstErr)
		os.Exit(1)
	}
	fmt.Printf("ready %d\n", *n)
	time.Sleep(*hold)
	for _, c := range conns {
		c.Close()
	}
}

func open(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	buf := make([]byte, 64)
	nread, _ := resp.Body.Read(buf)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(buf[:nread]) != "Hello, World!" {
		c.Close()
		return nil, fmt.Errorf("unexpected answer %d %q", resp.StatusCode, buf[:nread])
	}
	c.SetDeadline(time.Time{})
	return c, nil
}
