package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The result lines of the Go load clients (benchmarks/go/echoload and idleconns).
const (
	echoResultPrefix = "echoload result:"
	idleReadyPrefix  = "idleconns ready:"
	idleResultPrefix = "idleconns result:"
)

// parseResultNumbers finds the line starting with prefix, made of key=value pairs, and returns the
// values of keys as numbers; every one of them must be there.
func parseResultNumbers(out, prefix string, keys ...string) ([]float64, error) {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		values := map[string]string{}
		for _, field := range strings.Fields(strings.TrimPrefix(line, prefix)) {
			key, value, ok := strings.Cut(field, "=")
			if !ok {
				return nil, fmt.Errorf("%q in %q is not key=value", field, line)
			}
			values[key] = value
		}
		numbers := make([]float64, len(keys))
		for i, key := range keys {
			value, ok := values[key]
			if !ok {
				return nil, fmt.Errorf("no %s= in %q", key, line)
			}
			n, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return nil, fmt.Errorf("%s=%q is not a number", key, value)
			}
			numbers[i] = n
		}
		return numbers, nil
	}
	return nil, fmt.Errorf("no %q line", prefix)
}

// EchoResult is one run of echoload.
type EchoResult struct {
	BytesPerSecond float64
	P50, P99       time.Duration // message round trip
	Errors         int64
}

// ParseEchoLoad reads echoload's result line.
func ParseEchoLoad(out string) (EchoResult, error) {
	n, err := parseResultNumbers(out, echoResultPrefix, "bytes_per_sec", "rtt_p50_us", "rtt_p99_us", "errors")
	if err != nil {
		return EchoResult{}, err
	}
	return EchoResult{
		BytesPerSecond: n[0],
		P50:            time.Duration(n[1] * float64(time.Microsecond)),
		P99:            time.Duration(n[2] * float64(time.Microsecond)),
		Errors:         int64(n[3]),
	}, nil
}

// RunEchoLoad runs echoload on the load CPU against the echo server on port; its output goes to rawPath.
func RunEchoLoad(ctx context.Context, o Options, port, connections, seconds int, rawPath string) (EchoResult, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second+time.Minute)
	defer cancel()
	argv := []string{"taskset", "-c", loadCPU, filepath.Join(o.BinDir, "echoload"),
		"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-c", strconv.Itoa(connections),
		"-size", strconv.Itoa(echoMessageBytes), "-duration", strconv.Itoa(seconds) + "s"}
	out, runErr := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	saveRaw(rawPath, argv, out)
	r, err := ParseEchoLoad(string(out))
	if err != nil {
		// Exit code 1 with a result line only means that errors were counted; without one it failed.
		return r, fmt.Errorf("echoload %s: %v: %s", describeExit(runErr), err, firstLine(string(out)))
	}
	return r, nil
}

// IdleCounts are the numbers idleconns reports.
type IdleCounts struct {
	Established, Failed, ClosedEarly int64
}

// IdleClient is a running idleconns holding its connections.
type IdleClient struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	output  *os.File
	copied  chan struct{} // closed when all of the client's stdout is in output
	rawPath string
	Ready   IdleCounts
}

// StartIdleClient starts idleconns on the load CPU and returns once all n connections were tried
// and the client holds the established ones. Its output goes to rawPath.
func StartIdleClient(ctx context.Context, o Options, port, n int, rawPath string) (*IdleClient, error) {
	argv := []string{"taskset", "-c", loadCPU, filepath.Join(o.BinDir, "idleconns"),
		"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-n", strconv.Itoa(n)}
	output, err := os.Create(rawPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(output, "# %s\n", strings.Join(argv, " "))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = output
	stdin, err := cmd.StdinPipe()
	var stdout io.ReadCloser
	if err == nil {
		stdout, err = cmd.StdoutPipe()
	}
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		output.Close()
		return nil, err
	}
	c := &IdleClient{cmd: cmd, stdin: stdin, output: output, copied: make(chan struct{}), rawPath: rawPath}

	ready := make(chan string, 1)
	go func() {
		// Copy stdout to the raw file; hand the ready line over when it comes.
		defer close(c.copied)
		defer close(ready)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			line := scanner.Text()
			fmt.Fprintln(output, line)
			if strings.HasPrefix(line, idleReadyPrefix) {
				ready <- line
			}
		}
	}()

	// Opening runs at thousands of connections per second; allow for a slow, busy machine.
	timeout := time.Minute + time.Duration(n)*time.Millisecond
	select {
	case line, ok := <-ready:
		if !ok {
			waitErr := c.cmd.Wait()
			c.output.Close()
			output, _ := os.ReadFile(rawPath)
			_, afterCommandLine, _ := strings.Cut(string(output), "\n")
			return nil, fmt.Errorf("idleconns %s before it was ready: %s", describeExit(waitErr), firstLine(afterCommandLine))
		}
		n, err := parseResultNumbers(line, idleReadyPrefix, "established", "failed")
		if err != nil {
			c.kill()
			return nil, err
		}
		c.Ready = IdleCounts{Established: int64(n[0]), Failed: int64(n[1])}
		return c, nil
	case <-time.After(timeout):
		c.kill()
		return nil, fmt.Errorf("idleconns not ready after %v", timeout)
	case <-ctx.Done():
		c.kill()
		return nil, ctx.Err()
	}
}

// Stop closes the client's standard input, which makes it close its connections and report.
func (c *IdleClient) Stop() (IdleCounts, error) {
	c.stdin.Close()
	select {
	case <-c.copied: // Wait closes the pipe, so only after the last line was read
	case <-time.After(time.Minute):
		c.kill()
		return IdleCounts{}, errors.New("idleconns did not stop within a minute")
	}
	waitErr := c.cmd.Wait()
	c.output.Close()
	data, err := os.ReadFile(c.rawPath)
	if err != nil {
		return IdleCounts{}, err
	}
	n, err := parseResultNumbers(string(data), idleResultPrefix, "established", "failed", "closed_early")
	if err != nil {
		return IdleCounts{}, fmt.Errorf("idleconns %s: %v", describeExit(waitErr), err)
	}
	return IdleCounts{Established: int64(n[0]), Failed: int64(n[1]), ClosedEarly: int64(n[2])}, nil
}

func (c *IdleClient) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
	c.output.Close()
}
