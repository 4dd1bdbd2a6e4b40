package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what the harness takes from one wrk --latency run.
type WrkResult struct {
	Requests          int64
	RequestsPerSecond float64
	P50, P99          time.Duration
	SocketErrors      int64 // connect + read + write + timeout
	Non2xx            int64 // "Non-2xx or 3xx responses"
}

// Errors is every failed request wrk counted.
func (r WrkResult) Errors() int64 {
	return r.SocketErrors + r.Non2xx
}

var (
	wrkRequestsRe     = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	wrkRateRe         = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)\s*$`)
	wrkDistributionRe = regexp.MustCompile(`(?m)^\s*Latency Distribution\s*$`)
	wrkPercentileRe   = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
	wrkSocketErrorsRe = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$`)
	wrkNon2xxRe       = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)\s*$`)
	// wrk writes latencies with the units of its format_time: us, ms, s, m, h.
	wrkTimeUnits = map[string]time.Duration{
		"us": time.Microsecond,
		"ms": time.Millisecond,
		"s":  time.Second,
		"m":  time.Minute,
		"h":  time.Hour,
	}
)

// ParseWrk reads the output of wrk --latency. The socket error and non-2xx lines are optional
// (wrk prints them only when there were some); the rest must be there.
func ParseWrk(out string) (WrkResult, error) {
	var r WrkResult
	m := wrkRequestsRe.FindStringSubmatch(out)
	if m == nil {
		return r, errors.New(`no "N requests in" line`)
	}
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	m = wrkRateRe.FindStringSubmatch(out)
	if m == nil {
		return r, errors.New(`no "Requests/sec:" line`)
	}
	rate, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return r, fmt.Errorf("Requests/sec %q: %v", m[1], err)
	}
	r.RequestsPerSecond = rate

	if !wrkDistributionRe.MatchString(out) {
		return r, errors.New(`no "Latency Distribution" (was wrk run with --latency?)`)
	}
	found := map[string]bool{}
	for _, m := range wrkPercentileRe.FindAllStringSubmatch(out, -1) {
		value, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return r, fmt.Errorf("latency %s%s: %v", m[2], m[3], err)
		}
		d := time.Duration(value * float64(wrkTimeUnits[m[3]]))
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
		found[m[1]] = true
	}
	if !found["50"] || !found["99"] {
		return r, errors.New("the latency distribution lacks the 50% or the 99% line")
	}

	if m := wrkSocketErrorsRe.FindStringSubmatch(out); m != nil {
		for _, field := range m[1:] {
			n, _ := strconv.ParseInt(field, 10, 64)
			r.SocketErrors += n
		}
	} else if strings.Contains(out, "Socket errors") {
		return r, errors.New(`unreadable "Socket errors" line`)
	}
	if m := wrkNon2xxRe.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	} else if strings.Contains(out, "Non-2xx") {
		return r, errors.New(`unreadable "Non-2xx or 3xx responses" line`)
	}
	return r, nil
}

// RunWrk runs wrk -t1 on the load CPU against the server on port and saves its output in rawPath.
func RunWrk(ctx context.Context, port, connections, seconds int, rawPath string) (WrkResult, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second+time.Minute)
	defer cancel()
	argv := []string{"taskset", "-c", loadCPU, "wrk", "-t1", "-c" + strconv.Itoa(connections),
		"-d" + strconv.Itoa(seconds) + "s", "--latency", fmt.Sprintf("http://127.0.0.1:%d/", port)}
	out, runErr := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	saveRaw(rawPath, argv, out)
	if runErr != nil {
		return WrkResult{}, fmt.Errorf("wrk %s: %s", describeExit(runErr), firstLine(string(out)))
	}
	r, err := ParseWrk(string(out))
	if err != nil {
		return r, fmt.Errorf("wrk output unreadable (%v); see %s", err, rawPath)
	}
	return r, nil
}

// saveRaw keeps a load generator's output with its command line on top.
func saveRaw(path string, argv []string, out []byte) {
	content := "# " + strings.Join(argv, " ") + "\n" + string(out)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "cannot save %s: %v\n", path, err)
	}
}
