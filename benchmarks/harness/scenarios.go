package main

import (
	"fmt"
	"strconv"
)

// Metric is a scenario's main number, the one the gonetpoll ÷ peer ratio is taken of.
type Metric int

const (
	RequestsPerSecond Metric = iota
	MegabytesPerSecond
	KilobytesPerConnection
)

// Unit is how the metric is written after a number.
func (m Metric) Unit() string {
	switch m {
	case RequestsPerSecond:
		return "req/s"
	case MegabytesPerSecond:
		return "MB/s"
	default:
		return "KB/conn"
	}
}

// LoadKind is what drives a scenario's servers.
type LoadKind int

const (
	HTTPLoad LoadKind = iota // wrk
	EchoLoad                 // echoload
	IdleLoad                 // idleconns
)

// Load is one load setting of a scenario (S1 has two).
type Load struct {
	Label       string
	Connections int
}

// Scenario is one row of BENCHMARKS.md's scenario table with its peers.
type Scenario struct {
	ID      string
	Title   string
	Kind    LoadKind
	Metric  Metric
	Loads   []Load
	Servers []ServerSpec
}

// ServerSpec is one server of a scenario: how to start it and how to call it in the results.
type ServerSpec struct {
	Name     string   // in the table, e.g. "epoll offloaded"
	Key      string   // its transport (--transport of the examples jar), as --servers names it
	Go       bool     // the Go peer rather than the examples jar
	Command  []string // the examples command and its own options, or the Go server's flags; no port
	Baseline bool     // gonetpoll: the numerator of the scenario's ratios
	Jar      string   // the examples jar of this server when it is not Options.Jar (--baseline-jar)
}

// transportKeys are the values of --servers.
var transportKeys = []string{"gonetpoll", "epoll", "io_uring", "nio", "go"}

// scenarioTitles names every known scenario.
var scenarioTitles = map[string]string{
	"S1": "HTTP/1.1 hello world, keep-alive",
	"S2": "hello world after 1 ms of blocking in the handler",
	"S3": "idle keep-alive connections: RSS growth per connection",
	"S4": "TCP echo of 64 KiB messages",
}

// Constants of the load, from BENCHMARKS.md.
const (
	blockingSleepMillis = 1
	echoConnections     = 16
	echoMessageBytes    = 64 * 1024
	// warmupConnections drives S3's warm-up (it measures memory, not a load).
	warmupConnections = 64
)

// examplesServer is a Netty server of the examples jar.
func examplesServer(name, transport string, baseline bool, command ...string) ServerSpec {
	return ServerSpec{Name: name, Key: transport, Command: command, Baseline: baseline}
}

// examplesServers runs the same examples command on gonetpoll (the baseline) and on each peer
// transport, named after its transport.
func examplesServers(command string, peers ...string) []ServerSpec {
	servers := []ServerSpec{examplesServer("gonetpoll", "gonetpoll", true, command)}
	for _, transport := range peers {
		servers = append(servers, examplesServer(transport, transport, false, command))
	}
	return servers
}

// goServer is the Go peer in one of its modes.
func goServer(name string, flags ...string) ServerSpec {
	return ServerSpec{Name: name, Key: "go", Go: true, Command: flags}
}

// scenario builds the scenario with the given id for these options, with the servers --servers selects.
func scenario(id string, o Options) Scenario {
	sc := Scenario{ID: id, Title: scenarioTitles[id]}
	sleep := strconv.Itoa(blockingSleepMillis)
	switch id {
	case "S1":
		sc.Kind, sc.Metric = HTTPLoad, RequestsPerSecond
		sc.Loads = []Load{{"c64", 64}, {"c256", 256}}
		sc.Servers = append(examplesServers("hello", "epoll", "io_uring", "nio"), goServer("go net/http", "-mode", "hello"))
	case "S2":
		sc.Kind, sc.Metric = HTTPLoad, RequestsPerSecond
		sc.Loads = []Load{{"c256", 256}}
		sc.Servers = []ServerSpec{
			examplesServer("gonetpoll (in handler)", "gonetpoll", true, "blocking", "--sleep-ms", sleep),
			examplesServer("epoll in-loop", "epoll", false, "blocking", "--sleep-ms", sleep),
			examplesServer("epoll offloaded", "epoll", false, "blocking", "--sleep-ms", sleep, "--offload"),
			examplesServer("nio offloaded", "nio", false, "blocking", "--sleep-ms", sleep, "--offload"),
			goServer("go net/http", "-mode", "blocking", "-sleep-ms", sleep),
		}
	case "S3":
		sc.Kind, sc.Metric = IdleLoad, KilobytesPerConnection
		sc.Loads = []Load{{fmt.Sprintf("%d idle", o.IdleConnections), o.IdleConnections}}
		sc.Servers = append(examplesServers("hello", "epoll", "nio"), goServer("go net/http", "-mode", "hello"))
	case "S4":
		sc.Kind, sc.Metric = EchoLoad, MegabytesPerSecond
		sc.Loads = []Load{{fmt.Sprintf("%d x 64 KiB", echoConnections), echoConnections}}
		sc.Servers = append(examplesServers("echo", "epoll", "io_uring", "nio"), goServer("go net", "-mode", "echo"))
	default:
		panic("unknown scenario " + id) // parseScenarioList lets only known ids through
	}
	var selected []ServerSpec
	for _, s := range sc.Servers {
		if !o.wants(s.Key) {
			continue
		}
		selected = append(selected, s)
		if s.Baseline && o.BaselineJar != "" {
			// The same gonetpoll server from the other jar, right after it in every round: an A/B pair.
			ab := s
			ab.Name = s.Name + " (baseline jar)"
			ab.Baseline = false
			ab.Jar = o.BaselineJar
			selected = append(selected, ab)
		}
	}
	sc.Servers = selected
	return sc
}

// jar is the examples jar that runs this server.
func (s ServerSpec) jar(o Options) string {
	if s.Jar != "" {
		return s.Jar
	}
	return o.Jar
}
