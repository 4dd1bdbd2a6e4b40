package main

import (
	"io"
	"strings"
	"testing"
)

var required = []string{"--repo", "/r", "--jdk", "/j", "--bin", "/b"}

func parse(t *testing.T, args ...string) (Options, error) {
	t.Helper()
	return parseOptions(append(append([]string(nil), required...), args...), io.Discard)
}

func TestDefaultsAreTheMethodsMinimums(t *testing.T) {
	o, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if o.WarmupSeconds != 15 || o.Rounds != 3 || o.IdleConnections != 10000 || o.Smoke() {
		t.Errorf("defaults %+v", o)
	}
	if strings.Join(o.Scenarios, ",") != "S1,S2,S3,S4" || o.Servers != nil {
		t.Errorf("scenarios %v, servers %v", o.Scenarios, o.Servers)
	}
	if o.Jar != "/r/examples/target/gonetpoll-examples.jar" {
		t.Errorf("jar %s", o.Jar)
	}
}

func TestQuickYieldsToExplicitOptions(t *testing.T) {
	o, err := parse(t, "--quick", "--rounds", "2")
	if err != nil {
		t.Fatal(err)
	}
	if o.Rounds != 2 || o.WarmupSeconds != 2 || o.DurationSeconds != 2 || o.IdleConnections != 1000 || !o.Smoke() {
		t.Errorf("quick %+v", o)
	}
}

func TestScenarioAndServerLists(t *testing.T) {
	o, err := parse(t, "--scenarios", "s3, S1,S3", "--servers", "Go,gonetpoll")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Scenarios, ",") != "S1,S3" {
		t.Errorf("scenarios %v", o.Scenarios)
	}
	s1 := scenario("S1", o)
	if len(s1.Servers) != 2 || s1.Servers[0].Name != "gonetpoll" || !s1.Servers[1].Go {
		t.Errorf("S1 servers %+v", s1.Servers)
	}
}

func TestABaselineJarAddsAnABPartnerToEveryGonetpollServer(t *testing.T) {
	o, err := parse(t, "--baseline-jar", "/old.jar", "--servers", "gonetpoll,epoll")
	if err != nil {
		t.Fatal(err)
	}
	s2 := scenario("S2", o)
	var names []string
	for _, s := range s2.Servers {
		names = append(names, s.Name+"@"+s.jar(o))
	}
	want := "gonetpoll (in handler)@/r/examples/target/gonetpoll-examples.jar," +
		"gonetpoll (in handler) (baseline jar)@/old.jar," +
		"epoll in-loop@/r/examples/target/gonetpoll-examples.jar," +
		"epoll offloaded@/r/examples/target/gonetpoll-examples.jar"
	if strings.Join(names, ",") != want {
		t.Errorf("S2 servers %v", names)
	}
	if s2.Servers[1].Baseline || !s2.Servers[0].Baseline {
		t.Errorf("only the current jar's gonetpoll is the ratios' numerator: %+v", s2.Servers)
	}
	argv, _ := serverCommand(s2.Servers[1], 8080, o)
	if !strings.Contains(strings.Join(argv, " "), "-jar /old.jar blocking") {
		t.Errorf("baseline command %v", argv)
	}
}

func TestBadOptionsAreRejected(t *testing.T) {
	cases := [][]string{
		{"--scenarios", "S5"},
		{"--scenarios", ","},
		{"--servers", "netty"},
		{"--rounds", "0"},
		{"--duration", "0"},
		{"--warmup", "-1"},
		{"--idle", "0"},
		{"--rounds", "three"},
		{"--bogus"},
		{"extra"},
	}
	for _, args := range cases {
		if _, err := parse(t, args...); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	if _, err := parseOptions([]string{"--quick"}, io.Discard); err == nil || !strings.Contains(err.Error(), "benchmarks/run") {
		t.Errorf("without --repo etc.: %v", err)
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseOptions([]string{"--help"}, &out)
	if err != errHelp {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"--no-build", "--quick", "--scenarios LIST", "--warmup SECONDS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "--repo") {
		t.Error("usage shows --repo, which benchmarks/run sets")
	}
}

func TestEveryScenarioHasItsPeers(t *testing.T) {
	o, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"S1": "gonetpoll,epoll,io_uring,nio,go net/http",
		"S2": "gonetpoll (in handler),epoll in-loop,epoll offloaded,nio offloaded,go net/http",
		"S3": "gonetpoll,epoll,nio,go net/http",
		"S4": "gonetpoll,epoll,io_uring,nio,go net",
	}
	for id, servers := range want {
		sc := scenario(id, o)
		var names []string
		for i, s := range sc.Servers {
			names = append(names, s.Name)
			if s.Baseline != (i == 0) {
				t.Errorf("%s: %s baseline %v", id, s.Name, s.Baseline)
			}
		}
		if got := strings.Join(names, ","); got != servers {
			t.Errorf("%s: %s", id, got)
		}
	}
}
