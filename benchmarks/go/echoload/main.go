// Command echoload is the load client of scenario S4: C connections to a TCP echo server, each
// sending messages of a fixed size and reading every one back in full, checking its sequence
// number and content.
//
//	echoload -addr 127.0.0.1:8080 -c 16 -size 65536 -duration 10s [-window 1]
//
// At the end it prints one line of key=value pairs:
//
//	echoload result: connections=16 message_bytes=65536 window=1 seconds=10.000 bytes=... bytes_per_sec=... messages=... rtt_p50_us=... rtt_p99_us=... errors=0
//
// bytes counts the echoed bytes received and verified within the duration; rtt is the time from
// sending a message to having read all of it back. A connection that fails (connect, I/O, a wrong
// or short echo) counts one error, is reported on stderr and stops. Exit codes: 0 without errors,
// 1 with errors, 2 for bad arguments.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"gonetpoll.dev/benchmarks/go/internal/cli"
)

// headerSize is the size of the sequence number that starts every message.
const headerSize = 8

func main() {
	flags := flag.NewFlagSet("echoload", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "host:port of the echo server")
	connections := flags.Int("c", 16, "number of connections")
	size := flags.Int("size", 64*1024, "message size in bytes")
	duration := flags.Duration("duration", 10*time.Second, "how long to send")
	window := flags.Int("window", 1, "messages in flight per connection (1: send, read back, send the next)")
	timeout := flags.Duration("timeout", 10*time.Second, "time limit of a connect and of waiting for an echo")
	cli.Parse(flags, os.Args[1:], func(rest []string) error {
		return cli.FirstError(cli.NoArguments(rest), cli.HostPort("-addr", *addr), cli.AtLeast("-c", *connections, 1),
			cli.AtLeast("-size", *size, headerSize+1), cli.Positive("-duration", *duration),
			cli.AtLeast("-window", *window, 1), cli.Positive("-timeout", *timeout))
	})

	deadline := time.Now().Add(*duration)
	results := make([]connResult, *connections)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = runConnection(i, *addr, *size, *window, deadline, *timeout)
		}(i)
	}
	wg.Wait()

	var totalBytes int64
	var rtts []time.Duration
	errorCount := 0
	for i, r := range results {
		if r.err != nil {
			fmt.Fprintf(os.Stderr, "echoload: connection %d: %v\n", i, r.err)
			errorCount++
		}
		totalBytes += r.bytes
		rtts = append(rtts, r.rtts...)
	}
	seconds := duration.Seconds()
	fmt.Printf("echoload result: connections=%d message_bytes=%d window=%d seconds=%.3f bytes=%d bytes_per_sec=%.0f messages=%d rtt_p50_us=%.1f rtt_p99_us=%.1f errors=%d\n",
		*connections, *size, *window, seconds, totalBytes, float64(totalBytes)/seconds, len(rtts),
		percentileMicros(rtts, 50), percentileMicros(rtts, 99), errorCount)
	if errorCount > 0 {
		os.Exit(1)
	}
}

// connResult is what one connection achieved before the deadline (or its failure).
type connResult struct {
	bytes int64
	rtts  []time.Duration
	err   error
}

// runConnection sends messages until the deadline from one goroutine and reads the echoes from
// another, with at most window messages unanswered.
func runConnection(id int, addr string, size, window int, deadline time.Time, timeout time.Duration) connResult {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return connResult{err: err}
	}
	defer conn.Close()

	// The body is the same for every message of a connection and different between connections,
	// so a message echoed on the wrong connection fails the check; the sequence number catches
	// lost, repeated or reordered messages.
	message := make([]byte, size)
	rand.New(rand.NewSource(int64(id) + 1)).Read(message[headerSize:])
	body := message[headerSize:]

	credits := make(chan struct{}, window) // one per message sent and not yet read back
	sentAt := make(chan time.Time, window) // never blocks: it holds no more entries than credits
	stop := make(chan struct{})            // closed when the reader gives up
	writeErr := make(chan error, 1)
	go func() {
		defer close(sentAt)
		for seq := uint64(0); time.Now().Before(deadline); seq++ {
			select {
			case credits <- struct{}{}:
			case <-stop:
				return
			}
			// Only the header changes between messages, and only after the previous Write returned.
			binary.BigEndian.PutUint64(message, seq)
			sentAt <- time.Now()
			if _, err := conn.Write(message); err != nil {
				writeErr <- err
				return
			}
		}
	}()

	var result connResult
	result.err = readEchoes(conn, body, sentAt, credits, deadline, timeout, &result)
	if result.err != nil {
		close(stop)
		conn.Close() // unblocks a writer stuck in Write
		for range sentAt {
		}
		return result
	}
	select {
	case err := <-writeErr:
		result.err = fmt.Errorf("sending: %w", err)
	default:
	}
	return result
}

// readEchoes reads back every message the writer announces on sentAt, checks it and counts those
// completed by the deadline into result; it returns the first failure.
func readEchoes(conn net.Conn, body []byte, sentAt <-chan time.Time, credits <-chan struct{},
	deadline time.Time, timeout time.Duration, result *connResult) error {
	echo := make([]byte, headerSize+len(body))
	for seq := uint64(0); ; seq++ {
		sent, ok := <-sentAt
		if !ok {
			return nil
		}
		if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
		if _, err := io.ReadFull(conn, echo); err != nil {
			return fmt.Errorf("reading the echo of message %d: %w", seq, err)
		}
		done := time.Now()
		if got := binary.BigEndian.Uint64(echo); got != seq {
			return fmt.Errorf("expected the echo of message %d, got sequence number %d", seq, got)
		}
		if !bytes.Equal(echo[headerSize:], body) {
			return fmt.Errorf("the echo of message %d differs from what was sent", seq)
		}
		if !done.After(deadline) {
			result.bytes += int64(len(echo))
			result.rtts = append(result.rtts, done.Sub(sent))
		}
		<-credits
	}
}

// percentileMicros is the p-th percentile (nearest rank) of durations, in microseconds; 0 when empty.
func percentileMicros(durations []time.Duration, p float64) float64 {
	if len(durations) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), durations...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := int(p/100*float64(len(sorted))+0.5) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return float64(sorted[rank]) / float64(time.Microsecond)
}
