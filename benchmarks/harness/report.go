package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxNoteInTable is how much of a row's first note the table shows; the notes section has all.
const maxNoteInTable = 90

// formatValue writes a metric value with its unit: "82,977 req/s", "987.3 MB/s", "5.9 KB/conn".
func formatValue(m Metric, v float64) string {
	switch m {
	case RequestsPerSecond:
		return thousands(int64(math.Round(v))) + " req/s"
	case MegabytesPerSecond:
		return strconv.FormatFloat(v, 'f', 1, 64) + " MB/s"
	default:
		return strconv.FormatFloat(v, 'f', 1, 64) + " KB/conn"
	}
}

// thousands writes n with a comma every three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// formatLatency writes a latency in milliseconds with about three significant digits; "-" for none.
func formatLatency(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	default:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
}

func formatMiB(kb int64) string {
	if kb <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(kb)/1024, 'f', 1, 64) + " MiB"
}

// RunInfo is the header of a report: the machine, the software and the settings.
type RunInfo struct {
	Name           string // results-<timestamp>
	Started, Ended time.Time
	Machine        MachineInfo
	LoadAvgAtEnd   string
	Options        Options
	Interrupted    bool
}

var tableHeader = []string{"scenario", "server", "result (median)", "p50", "p99", "errors", "RSS end", "spread", "gonetpoll ÷ peer", "note"}

// tableRow is one row of the results table as text.
func tableRow(row *Row, all []*Row) []string {
	cells := []string{row.Scenario.ID + " " + row.Load.Label, row.Server.Name, "-", "-", "-", "-", formatMiB(row.RSSEndKB), "-", "-", ""}
	note := row.Unavailable
	if note == "" && len(row.Notes) > 0 {
		note = row.Notes[0]
		if len(row.Notes) > 1 {
			note += fmt.Sprintf(" (+%d more notes)", len(row.Notes)-1)
		}
	}
	if utf8.RuneCountInString(note) > maxNoteInTable {
		note = string([]rune(note)[:maxNoteInTable]) + "..."
	}
	cells[9] = strings.ReplaceAll(note, "|", "/")
	s, ok := row.Summarize()
	if !ok {
		if cells[9] == "" {
			cells[9] = "no round completed"
		}
		return cells
	}
	cells[2] = formatValue(row.Scenario.Metric, s.Value)
	cells[3] = formatLatency(s.P50)
	cells[4] = formatLatency(s.P99)
	cells[5] = thousands(s.Errors)
	if len(row.Rounds) > 1 && s.Value != 0 {
		cells[7] = strconv.FormatFloat(100*(s.Max-s.Min)/math.Abs(s.Value), 'f', 1, 64) + "%"
	}
	if row.Server.Baseline {
		cells[8] = "base"
	} else if ratio, ok := row.Ratio(all); ok {
		cells[8] = strconv.FormatFloat(ratio, 'f', 2, 64)
	}
	return cells
}

// WriteTable writes the results as a Markdown table with aligned columns.
func WriteTable(w io.Writer, rows []*Row) {
	lines := [][]string{tableHeader}
	for _, row := range rows {
		lines = append(lines, tableRow(row, rows))
	}
	widths := make([]int, len(tableHeader))
	for _, line := range lines {
		for i, cell := range line {
			if n := utf8.RuneCountInString(cell); n > widths[i] {
				widths[i] = n
			}
		}
	}
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	lines = append([][]string{lines[0], rule}, lines[1:]...)
	for _, line := range lines {
		var b strings.Builder
		b.WriteString("|")
		for i, cell := range line {
			b.WriteString(" " + cell + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
}

// WriteMarkdown writes the whole report: header, table, legend and notes.
func WriteMarkdown(w io.Writer, info RunInfo, rows []*Row) {
	o := info.Options
	fmt.Fprintf(w, "# gonetpoll benchmarks: %s\n\n", info.Name)
	if info.Interrupted {
		fmt.Fprintf(w, "**INTERRUPTED**: only what was measured before the interruption is here.\n\n")
	}
	if o.Smoke() {
		fmt.Fprintf(w, "**SMOKE RUN**: below BENCHMARKS.md's minimums (warm-up %d s, %d round%s; the method asks for at least %d s and %d). It checks the harness; do not quote its numbers.\n\n",
			o.WarmupSeconds, o.Rounds, plural(o.Rounds), minWarmupSeconds, minRounds)
	}
	m := info.Machine
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| date | %s to %s |\n", info.Started.Format("2006-01-02 15:04:05 MST"), info.Ended.Format("15:04:05"))
	fmt.Fprintf(w, "| CPU | %s, %d CPUs |\n", m.CPUModel, m.CPUs)
	fmt.Fprintf(w, "| kernel | %s |\n", m.Kernel)
	fmt.Fprintf(w, "| JDK | %s |\n", m.JDK)
	fmt.Fprintf(w, "| Go | %s |\n", m.Go)
	fmt.Fprintf(w, "| wrk | %s |\n", m.Wrk)
	fmt.Fprintf(w, "| gonetpoll | %s |\n", m.Commit)
	fmt.Fprintf(w, "| load average | %s at the start, %s at the end (other work on the machine skews absolute numbers more than ratios) |\n", m.LoadAvg, info.LoadAvgAtEnd)
	fmt.Fprintf(w, "| method | servers on CPU %s, load generators on CPU %s; one processor / event loop per server (--processors 1, GOMAXPROCS=1); every JVM -Xmx1g; warm-up %d s per server per scenario; %d measured round%s of %d s, interleaved across servers; median of the rounds |\n",
		serverCPU, loadCPU, o.WarmupSeconds, o.Rounds, plural(o.Rounds), o.DurationSeconds)
	fmt.Fprintf(w, "| scenarios | %s |\n", strings.Join(o.Scenarios, ", "))
	if containsString(o.Scenarios, "S3") {
		fmt.Fprintf(w, "| S3 | %d idle keep-alive connections, held %d s; each round starts every server afresh and warms it up with wrk; VmRSS is read before the connections are opened and after they were held; JVM servers get `jcmd <pid> GC.run` before each reading, the Go server is read as it is (its garbage is not collected first) |\n",
			o.IdleConnections, o.HoldSeconds)
	}
	fmt.Fprintln(w)

	WriteTable(w, rows)

	fmt.Fprintf(w, "\n- result: median of the rounds. req/s from wrk; MB/s = 10^6 bytes echoed and verified per second; KB/conn = (RSS with the connections held - RSS before) / connections, in KiB as /proc reports.\n")
	fmt.Fprintf(w, "- p50, p99: medians of the rounds' wrk latency distribution (S1, S2) or message round trip (S4).\n")
	fmt.Fprintf(w, "- errors, summed over the rounds: wrk's non-2xx/3xx responses plus socket errors (S1, S2); connections that failed or were closed while held (S3); failed connections (S4).\n")
	fmt.Fprintf(w, "- RSS end: the server's VmRSS after its last round (S3: with the connections held).\n")
	fmt.Fprintf(w, "- spread: (max - min) / median of the rounds.\n")
	fmt.Fprintf(w, "- gonetpoll ÷ peer: gonetpoll's median over the peer's, same scenario and load. For req/s and MB/s above 1 means gonetpoll is faster; for KB/conn below 1 means gonetpoll needs less memory.\n")

	var notes []string
	seen := map[string]bool{}
	add := func(note string) {
		if !seen[note] {
			seen[note] = true
			notes = append(notes, note)
		}
	}
	for _, row := range rows {
		// A server is unavailable for the whole scenario, whatever the load.
		if row.Unavailable != "" {
			add(fmt.Sprintf("%s, %s: unavailable: %s", row.Scenario.ID, row.Server.Name, row.Unavailable))
		}
		for _, n := range row.Notes {
			add(fmt.Sprintf("%s %s, %s: %s", row.Scenario.ID, row.Load.Label, row.Server.Name, n))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "\n## Notes\n\n")
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// WriteSummaryCSV writes one line per row: the medians, the ratio and the status.
func WriteSummaryCSV(w io.Writer, rows []*Row) error {
	out := csv.NewWriter(w)
	_ = out.Write([]string{"scenario", "load", "server", "transport", "unit", "rounds", "median", "min", "max",
		"p50_ms", "p99_ms", "errors", "rss_end_kb", "ratio_gonetpoll_to_peer", "status", "notes"})
	for _, row := range rows {
		line := []string{row.Scenario.ID, row.Load.Label, row.Server.Name, row.Server.Key, row.Scenario.Metric.Unit(),
			strconv.Itoa(len(row.Rounds)), "", "", "", "", "", "", "", "", "ok", strings.Join(row.Notes, "; ")}
		if row.RSSEndKB > 0 {
			line[12] = strconv.FormatInt(row.RSSEndKB, 10)
		}
		if s, ok := row.Summarize(); ok {
			line[6] = strconv.FormatFloat(s.Value, 'f', 3, 64)
			line[7] = strconv.FormatFloat(s.Min, 'f', 3, 64)
			line[8] = strconv.FormatFloat(s.Max, 'f', 3, 64)
			if s.P50 > 0 {
				line[9] = millis(s.P50)
				line[10] = millis(s.P99)
			}
			line[11] = strconv.FormatInt(s.Errors, 10)
			if ratio, ok := row.Ratio(rows); ok {
				line[13] = strconv.FormatFloat(ratio, 'f', 4, 64)
			}
		} else if row.Unavailable != "" {
			line[14] = "unavailable: " + row.Unavailable
		} else {
			line[14] = "no round completed"
		}
		_ = out.Write(line)
	}
	out.Flush()
	return out.Error()
}

// WriteRoundsCSV writes every measured round.
func WriteRoundsCSV(w io.Writer, rows []*Row) error {
	out := csv.NewWriter(w)
	_ = out.Write([]string{"scenario", "load", "server", "round", "value", "unit", "p50_ms", "p99_ms", "errors",
		"rss_before_kb", "rss_after_kb", "established", "raw_output"})
	for _, row := range rows {
		for _, r := range row.Rounds {
			line := []string{row.Scenario.ID, row.Load.Label, row.Server.Name, strconv.Itoa(r.Number),
				strconv.FormatFloat(r.Value, 'f', 3, 64), row.Scenario.Metric.Unit(), "", "", strconv.FormatInt(r.Errors, 10),
				"", "", "", "raw/" + r.Raw}
			if r.P50 > 0 {
				line[6] = millis(r.P50)
				line[7] = millis(r.P99)
			}
			if row.Scenario.Kind == IdleLoad {
				line[9] = strconv.FormatInt(r.RSSBeforeKB, 10)
				line[10] = strconv.FormatInt(r.RSSAfterKB, 10)
				line[11] = strconv.FormatInt(r.Established, 10)
			}
			_ = out.Write(line)
		}
	}
	out.Flush()
	return out.Error()
}

func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func containsString(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
