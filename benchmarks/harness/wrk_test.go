package main

import (
	"strings"
	"testing"
	"time"
)

// A wrk --latency output as wrk 4.1 prints it, without error lines.
const wrkClean = `Running 2s test @ http://127.0.0.1:37919/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.00ms    8.18ms  63.47ms   81.67%
    Req/Sec     5.63k     1.33k    7.66k    75.00%
  Latency Distribution
     50%   10.62ms
     75%   15.35ms
     90%   19.88ms
     99%   49.94ms
  11670 requests in 2.08s, 0.87MB read
Requests/sec:   5598.87
Transfer/sec:    426.48KB
`

// The same with microsecond and second latencies and both error lines.
const wrkWithErrors = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 256 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   303.12ms  101.00ms   1.99s    90.00%
    Req/Sec   845.00     20.00     900.00    70.00%
  Latency Distribution
     50%  752.00us
     75%  811.00us
     90%    1.50s
     99%    1.98s
  8450 requests in 10.00s, 0.64MB read
  Socket errors: connect 1, read 2, write 3, timeout 40
  Non-2xx or 3xx responses: 7
Requests/sec:    844.97
Transfer/sec:     65.01KB
`

func TestParseWrkReadsRateAndPercentiles(t *testing.T) {
	r, err := ParseWrk(wrkClean)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 11670 || r.RequestsPerSecond != 5598.87 {
		t.Errorf("requests %d, rate %v", r.Requests, r.RequestsPerSecond)
	}
	if r.P50 != 10620*time.Microsecond || r.P99 != 49940*time.Microsecond {
		t.Errorf("p50 %v, p99 %v", r.P50, r.P99)
	}
	if r.Errors() != 0 {
		t.Errorf("errors %d in a run without error lines", r.Errors())
	}
}

func TestParseWrkConvertsUnitsAndSumsErrors(t *testing.T) {
	r, err := ParseWrk(wrkWithErrors)
	if err != nil {
		t.Fatal(err)
	}
	if r.P50 != 752*time.Microsecond || r.P99 != 1980*time.Millisecond {
		t.Errorf("p50 %v, p99 %v", r.P50, r.P99)
	}
	if r.SocketErrors != 46 || r.Non2xx != 7 || r.Errors() != 53 {
		t.Errorf("socket errors %d, non-2xx %d, errors %d", r.SocketErrors, r.Non2xx, r.Errors())
	}
}

func TestParseWrkMinutes(t *testing.T) {
	out := strings.Replace(wrkClean, "99%   49.94ms", "99%    1.50m", 1)
	r, err := ParseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.P99 != 90*time.Second {
		t.Errorf("p99 %v, want 1m30s", r.P99)
	}
}

func TestParseWrkRejectsIncompleteOutput(t *testing.T) {
	cases := map[string]string{
		"empty":                 "",
		"connection refused":    "unable to connect to 127.0.0.1:1 Connection refused\n",
		"no --latency":          strings.Replace(wrkClean, "  Latency Distribution\n", "", 1),
		"no 99% line":           strings.Replace(wrkClean, "     99%   49.94ms\n", "", 1),
		"no rate":               strings.Replace(wrkClean, "Requests/sec:   5598.87\n", "", 1),
		"garbled socket errors": strings.Replace(wrkWithErrors, "connect 1, read 2", "connect 1; read 2", 1),
		"garbled non-2xx":       strings.Replace(wrkWithErrors, "responses: 7", "responses: many", 1),
	}
	for name, out := range cases {
		if _, err := ParseWrk(out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
