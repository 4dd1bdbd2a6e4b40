package main

import (
	"testing"
	"time"
)

func TestParseEchoLoad(t *testing.T) {
	out := "echoload: connection 3: reading the echo of message 7: EOF\n" +
		"echoload result: connections=16 message_bytes=65536 window=1 seconds=2.000 bytes=1976369152 bytes_per_sec=988184576 messages=30157 rtt_p50_us=704.3 rtt_p99_us=5563.9 errors=1\n"
	r, err := ParseEchoLoad(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.BytesPerSecond != 988184576 || r.Errors != 1 {
		t.Errorf("bytes/s %v, errors %d", r.BytesPerSecond, r.Errors)
	}
	if r.P50 != 704300*time.Nanosecond || r.P99 != 5563900*time.Nanosecond {
		t.Errorf("p50 %v, p99 %v", r.P50, r.P99)
	}
}

func TestParseEchoLoadRejectsBadOutput(t *testing.T) {
	cases := map[string]string{
		"no result line":  "echoload: -c must be at least 1, not 0\n",
		"missing key":     "echoload result: bytes_per_sec=1 rtt_p50_us=1 errors=0\n",
		"not a number":    "echoload result: bytes_per_sec=fast rtt_p50_us=1 rtt_p99_us=2 errors=0\n",
		"not key=value":   "echoload result: bytes_per_sec 1 rtt_p50_us=1 rtt_p99_us=2 errors=0\n",
		"other prefix":    "idleconns result: established=1 failed=0 closed_early=0\n",
		"prefix mid-line": "x echoload result: bytes_per_sec=1 rtt_p50_us=1 rtt_p99_us=2 errors=0\n",
	}
	for name, out := range cases {
		if _, err := ParseEchoLoad(out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseIdleResult(t *testing.T) {
	out := "# taskset ...\nidleconns ready: established=9998 failed=2\nidleconns: dial tcp: timeout\nidleconns result: established=9998 failed=2 closed_early=5\n"
	n, err := parseResultNumbers(out, idleResultPrefix, "established", "failed", "closed_early")
	if err != nil {
		t.Fatal(err)
	}
	if n[0] != 9998 || n[1] != 2 || n[2] != 5 {
		t.Errorf("got %v", n)
	}
	if _, err := parseResultNumbers("idleconns ready: established=10\n", idleReadyPrefix, "established", "failed"); err == nil {
		t.Error("a ready line without failed= was accepted")
	}
}
