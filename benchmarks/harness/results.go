package main

import (
	"sort"
	"time"
)

// Round is one measured round of one server under one load.
type Round struct {
	Number      int
	Value       float64       // the scenario's metric (req/s, MB/s, KB/conn)
	P50, P99    time.Duration // 0 where the scenario has no latency (S3)
	Errors      int64
	RSSBeforeKB int64 // S3: before the idle connections were opened
	RSSAfterKB  int64 // S3: with them held
	Established int64 // S3
	Raw         string
}

// Row is everything measured for one server under one load of a scenario: one line of the table.
type Row struct {
	Scenario    Scenario
	Load        Load
	Server      ServerSpec
	Rounds      []Round
	Unavailable string   // why nothing could be measured (the server did not start)
	Notes       []string // what went wrong along the way
	RSSEndKB    int64    // server RSS at the end of the run; 0 when unknown
}

// Summary is a row's rounds reduced to medians.
type Summary struct {
	Value, Min, Max float64
	P50, P99        time.Duration
	Errors          int64 // sum over the rounds
}

// Summarize reduces the rounds; ok is false when there are none.
func (r *Row) Summarize() (s Summary, ok bool) {
	if len(r.Rounds) == 0 {
		return s, false
	}
	values := make([]float64, len(r.Rounds))
	p50 := make([]float64, len(r.Rounds))
	p99 := make([]float64, len(r.Rounds))
	for i, round := range r.Rounds {
		values[i] = round.Value
		p50[i] = float64(round.P50)
		p99[i] = float64(round.P99)
		s.Errors += round.Errors
	}
	s.Value = median(values)
	s.Min, s.Max = minMax(values)
	s.P50 = time.Duration(median(p50))
	s.P99 = time.Duration(median(p99))
	return s, true
}

// Ratio is gonetpoll's median divided by this row's, for the same scenario and load; ok is false
// without a gonetpoll result, without a result of this row, or when this row's median is not positive.
func (r *Row) Ratio(rows []*Row) (ratio float64, ok bool) {
	mine, ok := r.Summarize()
	if !ok || mine.Value <= 0 {
		return 0, false
	}
	for _, other := range rows {
		if other.Server.Baseline && other.Scenario.ID == r.Scenario.ID && other.Load.Label == r.Load.Label {
			base, ok := other.Summarize()
			if !ok {
				return 0, false
			}
			return base.Value / mine.Value, true
		}
	}
	return 0, false
}

// median of a non-empty slice; the mean of the two middle values for an even count.
func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

func minMax(values []float64) (lo, hi float64) {
	lo, hi = values[0], values[0]
	for _, v := range values[1:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}
