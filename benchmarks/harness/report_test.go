package main

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func sampleRows() []*Row {
	s1 := Scenario{ID: "S1", Metric: RequestsPerSecond, Kind: HTTPLoad}
	c64 := Load{Label: "c64", Connections: 64}
	return []*Row{
		{Scenario: s1, Load: c64, Server: ServerSpec{Name: "gonetpoll", Key: "gonetpoll", Baseline: true},
			Rounds: []Round{{Number: 1, Value: 90000, P50: 700 * time.Microsecond, P99: 2 * time.Millisecond, Raw: "a.txt"},
				{Number: 2, Value: 81000, P50: 800 * time.Microsecond, P99: 3 * time.Millisecond, Errors: 2, Raw: "b.txt"}},
			RSSEndKB: 204800},
		{Scenario: s1, Load: c64, Server: ServerSpec{Name: "epoll", Key: "epoll"},
			Rounds: []Round{{Number: 1, Value: 85500}}, Notes: []string{"round 2: wrk exited with code 1: x"}},
		{Scenario: s1, Load: c64, Server: ServerSpec{Name: "io_uring", Key: "io_uring"},
			Unavailable: "server cannot start: exited with code 1 before listening: io_uring | not permitted"},
	}
}

func TestTableShowsMediansRatiosAndWhyAServerIsMissing(t *testing.T) {
	var out strings.Builder
	WriteTable(&out, sampleRows())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	for i, want := range [][]string{
		{"S1 c64", "gonetpoll", "85,500 req/s", "0.75 ms", "2.50 ms", "| 2 ", "200.0 MiB", "10.5%", "base"},
		{"epoll", "85,500 req/s", "1.00", "round 2: wrk exited"},
		{"io_uring", "server cannot start", "io_uring / not permitted"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+2], w) {
				t.Errorf("line %d lacks %q: %s", i+2, w, lines[i+2])
			}
		}
	}
	width := len([]rune(lines[0]))
	for _, line := range lines {
		if len([]rune(line)) != width {
			t.Errorf("columns not aligned:\n%s", out.String())
			break
		}
	}
}

func TestMarkdownMarksASmokeRunAndListsNotes(t *testing.T) {
	var out strings.Builder
	info := RunInfo{Name: "results-x", Options: Options{WarmupSeconds: 2, Rounds: 1, DurationSeconds: 2, Scenarios: []string{"S1"}}}
	WriteMarkdown(&out, info, sampleRows())
	text := out.String()
	for _, want := range []string{"**SMOKE RUN**", "## Notes", "S1, io_uring: unavailable: server cannot start",
		"S1 c64, epoll: round 2: wrk exited"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(text, "| S3 |") {
		t.Error("S3's method is described although S3 did not run")
	}
}

func TestCSVFiles(t *testing.T) {
	var summary, rounds strings.Builder
	if err := WriteSummaryCSV(&summary, sampleRows()); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(summary.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 {
		t.Fatalf("%d records", len(records))
	}
	if got := records[2][13]; got != "1.0000" {
		t.Errorf("epoll ratio %q", got)
	}
	if got := records[3][14]; !strings.HasPrefix(got, "unavailable: server cannot start") {
		t.Errorf("io_uring status %q", got)
	}
	if err := WriteRoundsCSV(&rounds, sampleRows()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(rounds.String(), "\n"); n != 4 {
		t.Errorf("%d lines of rounds:\n%s", n, rounds.String())
	}
}

func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1234567), "1,234,567"},
		{thousands(-4321), "-4,321"},
		{formatLatency(0), "-"},
		{formatLatency(752 * time.Microsecond), "0.75 ms"},
		{formatLatency(15300 * time.Microsecond), "15.3 ms"},
		{formatLatency(1980 * time.Millisecond), "1980 ms"},
		{formatValue(MegabytesPerSecond, 987.26), "987.3 MB/s"},
		{formatValue(KilobytesPerConnection, -0.4), "-0.4 KB/conn"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
