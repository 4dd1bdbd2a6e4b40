// Command idleconns is the load client of scenario S3: it opens N keep-alive connections to an HTTP
// server, completes one GET / on each (so that every connection is established at the HTTP level,
// with the server's per-connection state in place), then holds them idle.
//
//	idleconns -addr 127.0.0.1:8080 -n 10000
//
// Once all N were tried it prints one line
//
//	idleconns ready: established=E failed=F
//
// and holds the connections until its standard input closes or it gets SIGTERM/SIGINT; then it
// closes them and prints
//
//	idleconns result: established=E failed=F closed_early=C
//
// where closed_early counts connections the server closed (or wrote to) while they were held.
// Exit codes: 0 when every connection was established and none closed early, 1 otherwise, 2 for
// bad arguments.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gonetpoll.dev/benchmarks/go/internal/cli"
)

// maxReportedFailures bounds how many individual failures are printed on stderr.
const maxReportedFailures = 5

func main() {
	flags := flag.NewFlagSet("idleconns", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "host:port of the HTTP server")
	n := flags.Int("n", 10000, "number of connections to open and hold")
	parallel := flags.Int("parallel", 64, "connections being opened at the same time")
	timeout := flags.Duration("timeout", 10*time.Second, "time limit of one connect plus its request")
	cli.Parse(flags, os.Args[1:], func(rest []string) error {
		return cli.FirstError(cli.NoArguments(rest), cli.HostPort("-addr", *addr), cli.AtLeast("-n", *n, 1),
			cli.AtLeast("-parallel", *parallel, 1), cli.Positive("-timeout", *timeout))
	})

	pool := openAll(*addr, *n, *parallel, *timeout)
	established := len(pool.conns)
	failed := *n - established
	pool.failures.print(os.Stderr)
	fmt.Printf("idleconns ready: established=%d failed=%d\n", established, failed)

	waitForStop()
	closedEarly := pool.closeAll()
	fmt.Printf("idleconns result: established=%d failed=%d closed_early=%d\n", established, failed, closedEarly)
	if failed > 0 || closedEarly > 0 {
		os.Exit(1)
	}
}

// heldPool is the set of established connections and what happened to the others.
type heldPool struct {
	mu          sync.Mutex
	conns       []net.Conn
	failures    failureLog
	closing     atomic.Bool
	closedEarly atomic.Int64
	watchers    sync.WaitGroup
}

// openAll opens n connections, at most parallel at a time, and returns once every one was tried.
func openAll(addr string, n, parallel int, timeout time.Duration) *heldPool {
	pool := &heldPool{conns: make([]net.Conn, 0, n)}
	jobs := make(chan struct{})
	var workers sync.WaitGroup
	for w := 0; w < parallel; w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for range jobs {
				conn, reader, err := openOne(addr, timeout)
				if err != nil {
					pool.failures.add(err)
					continue
				}
				pool.hold(conn, reader)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	workers.Wait()
	return pool
}

// openOne connects and completes one keep-alive request; the connection stays open.
func openOne(addr string, timeout time.Duration) (net.Conn, *bufio.Reader, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, nil, err
	}
	reader, err := request(conn, addr, timeout)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, reader, nil
}

// request sends GET / on conn and reads the whole answer, which must be a 200 that keeps the
// connection open; the reader it returns holds whatever the server sends later.
func request(conn net.Conn, addr string, timeout time.Duration) (*bufio.Reader, error) {
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		return nil, fmt.Errorf("sending the request: %w", err)
	}
	reader := bufio.NewReaderSize(conn, 512)
	response, err := http.ReadResponse(reader, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	_, err = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading the response body: %w", err)
	case response.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("status %s", response.Status)
	case response.Close:
		return nil, errors.New("the server closes the connection after the response (no keep-alive)")
	}
	return reader, conn.SetDeadline(time.Time{})
}

// hold keeps conn and watches it: a held connection must stay silent and open.
func (p *heldPool) hold(conn net.Conn, reader *bufio.Reader) {
	p.mu.Lock()
	p.conns = append(p.conns, conn)
	p.mu.Unlock()
	p.watchers.Add(1)
	go func() {
		defer p.watchers.Done()
		_, err := reader.ReadByte()
		if !p.closing.Load() {
			if err == nil {
				err = errors.New("the server sent data on an idle connection")
			}
			p.closedEarly.Add(1)
			p.failures.add(fmt.Errorf("held connection: %w", err))
		}
	}()
}

// closeAll closes every held connection and returns how many had ended early.
func (p *heldPool) closeAll() int64 {
	p.closing.Store(true)
	p.mu.Lock()
	for _, conn := range p.conns {
		conn.Close()
	}
	p.mu.Unlock()
	p.watchers.Wait()
	p.failures.print(os.Stderr)
	return p.closedEarly.Load()
}

// failureLog counts failures and keeps the first few for the report.
type failureLog struct {
	mu      sync.Mutex
	count   int
	first   []string
	printed int
}

func (f *failureLog) add(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count++
	if len(f.first) < maxReportedFailures {
		f.first = append(f.first, err.Error())
	}
}

// print writes the failures not printed yet, and the total when some were not kept.
func (f *failureLog) print(w io.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ; f.printed < len(f.first); f.printed++ {
		fmt.Fprintf(w, "idleconns: %s\n", f.first[f.printed])
	}
	if f.count > len(f.first) {
		fmt.Fprintf(w, "idleconns: (%d failures so far, the first %d shown)\n", f.count, len(f.first))
	}
}

// waitForStop returns when standard input closes or a stop signal arrives.
func waitForStop() {
	stop := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop <- struct{}{}
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		stop <- struct{}{}
	}()
	<-stop
}
