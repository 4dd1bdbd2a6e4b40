package main

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		values []float64
		want   float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{-1, 7}, 3},
	}
	for _, c := range cases {
		if got := median(c.values); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.values, got, c.want)
		}
	}
}

func TestSummarizeTakesMediansAndSumsErrors(t *testing.T) {
	row := &Row{Rounds: []Round{
		{Value: 100, P50: 3 * time.Millisecond, P99: 9 * time.Millisecond, Errors: 1},
		{Value: 300, P50: 1 * time.Millisecond, P99: 7 * time.Millisecond, Errors: 2},
		{Value: 200, P50: 2 * time.Millisecond, P99: 8 * time.Millisecond},
	}}
	s, ok := row.Summarize()
	if !ok {
		t.Fatal("no summary")
	}
	if s.Value != 200 || s.Min != 100 || s.Max != 300 || s.P50 != 2*time.Millisecond || s.P99 != 8*time.Millisecond || s.Errors != 3 {
		t.Errorf("summary %+v", s)
	}
	if _, ok := (&Row{}).Summarize(); ok {
		t.Error("a row without rounds has a summary")
	}
}

func TestRatioIsGonetpollOverPeerOfTheSameLoad(t *testing.T) {
	s1 := Scenario{ID: "S1"}
	c64, c256 := Load{Label: "c64"}, Load{Label: "c256"}
	gonetpoll := ServerSpec{Name: "gonetpoll", Baseline: true}
	epoll := ServerSpec{Name: "epoll"}
	rows := []*Row{
		{Scenario: s1, Load: c64, Server: gonetpoll, Rounds: []Round{{Value: 90}}},
		{Scenario: s1, Load: c64, Server: epoll, Rounds: []Round{{Value: 60}}},
		{Scenario: s1, Load: c256, Server: gonetpoll},
		{Scenario: s1, Load: c256, Server: epoll, Rounds: []Round{{Value: 50}}},
		{Scenario: s1, Load: c64, Server: ServerSpec{Name: "broken"}, Rounds: []Round{{Value: 0}}},
	}
	if ratio, ok := rows[1].Ratio(rows); !ok || ratio != 1.5 {
		t.Errorf("c64 epoll: %v %v, want 1.5", ratio, ok)
	}
	if _, ok := rows[3].Ratio(rows); ok {
		t.Error("c256 has a ratio although gonetpoll has no result there")
	}
	if _, ok := rows[4].Ratio(rows); ok {
		t.Error("a ratio over a zero result")
	}
}
