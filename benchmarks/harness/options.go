package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// The method's minimums (BENCHMARKS.md), the defaults of a full run.
const (
	minWarmupSeconds = 15
	minRounds        = 3
)

// Options are the settings of one run. Durations are whole seconds, as wrk takes them.
type Options struct {
	Scenarios       []string        // scenario ids in run order (S1 before S2 ...)
	Servers         map[string]bool // transport keys to run; nil for all
	WarmupSeconds   int             // per server per scenario; 0 skips the warm-up
	DurationSeconds int             // one measured round of one server
	Rounds          int             // measured rounds per server, interleaved
	IdleConnections int             // S3
	HoldSeconds     int             // S3: how long the idle connections are held before the second reading
	StartTimeout    int             // seconds a server may take to print its " listening on " line
	Quick           bool

	// Where things are; benchmarks/run passes these.
	RepoDir string // the repository root
	JDKDir  string // the JDK 25 that runs the Java servers and jcmd
	BinDir  string // the Go programs (server, idleconns, echoload)
	Jar     string // the examples jar
	// BaselineJar is a second examples jar (the code before a change): its gonetpoll servers run
	// too, interleaved in the same rounds, for an A/B ratio measured side by side. Empty for none.
	BaselineJar string
}

// Smoke reports whether the run is below the method's minimums, so its numbers are not results.
func (o Options) Smoke() bool {
	return o.WarmupSeconds < minWarmupSeconds || o.Rounds < minRounds
}

// ResultsRoot is where results-<timestamp> directories go.
func (o Options) ResultsRoot() string {
	return filepath.Join(o.RepoDir, "benchmarks", "target")
}

// wants reports whether a server with the given transport key is selected.
func (o Options) wants(key string) bool {
	return o.Servers == nil || o.Servers[key]
}

// quickValues are what --quick sets, unless the option is given explicitly as well.
var quickValues = map[string]string{
	"warmup":   "2",
	"duration": "2",
	"rounds":   "1",
	"idle":     "1000",
	"hold":     "3",
}

// errHelp is returned when --help was asked for; the usage has been printed then.
var errHelp = errors.New("help requested")

// parseOptions parses the command line; problems come back as one-line errors, and --help prints
// the usage to usageOut.
func parseOptions(args []string, usageOut io.Writer) (Options, error) {
	var o Options
	var scenarios, servers string
	flags := flag.NewFlagSet("benchmarks/run", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors are reported by the caller, in one line
	flags.StringVar(&scenarios, "scenarios", "S1,S2,S3,S4", "comma-separated `list` of scenarios to run")
	flags.StringVar(&servers, "servers", "", "comma-separated `list` of transports to run, of "+strings.Join(transportKeys, ", ")+" (default: every peer of each scenario)")
	flags.IntVar(&o.WarmupSeconds, "warmup", minWarmupSeconds, "warm-up `seconds` per server per scenario (0: none)")
	flags.IntVar(&o.DurationSeconds, "duration", 10, "`seconds` of one measured round")
	flags.IntVar(&o.Rounds, "rounds", minRounds, "`n` measured rounds per server, interleaved across servers; the median is reported")
	flags.IntVar(&o.IdleConnections, "idle", 10000, "S3: `n` idle keep-alive connections to open and hold")
	// Longer than gonetpoll.dormantAfterMillis (1 s): an idle loop then holds no goroutine.
	flags.IntVar(&o.HoldSeconds, "hold", 6, "S3: `seconds` the idle connections are held before RSS is read again")
	flags.IntVar(&o.StartTimeout, "start-timeout", 60, "`seconds` a server may take to say it is listening")
	flags.BoolVar(&o.Quick, "quick", false, "smoke run of a few minutes: --warmup 2 --duration 2 --rounds 1 --idle 1000 --hold 3 (explicit options win)")
	flags.StringVar(&o.Jar, "jar", "", "the examples jar, a `path` (default: examples/target/gonetpoll-examples.jar)")
	flags.StringVar(&o.BaselineJar, "baseline-jar", "", "a second examples jar, a `path` (say, built before a change): its gonetpoll servers run in the same interleaved rounds as \"gonetpoll (baseline jar)\", for an A/B ratio")
	flags.StringVar(&o.RepoDir, "repo", "", "repository root (set by benchmarks/run)")
	flags.StringVar(&o.JDKDir, "jdk", "", "JDK 25 home (set by benchmarks/run)")
	flags.StringVar(&o.BinDir, "bin", "", "directory of the Go programs (set by benchmarks/run)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(usageOut, flags)
			return o, errHelp
		}
		return o, err
	}
	if flags.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	if o.Quick {
		explicit := map[string]bool{}
		flags.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
		for name, value := range quickValues {
			if !explicit[name] {
				if err := flags.Set(name, value); err != nil {
					return o, err
				}
			}
		}
	}

	var err error
	if o.Scenarios, err = parseScenarioList(scenarios); err != nil {
		return o, err
	}
	if o.Servers, err = parseServerList(servers); err != nil {
		return o, err
	}
	if err := o.check(); err != nil {
		return o, err
	}
	if o.Jar == "" {
		o.Jar = filepath.Join(o.RepoDir, "examples", "target", "gonetpoll-examples.jar")
	}
	return o, nil
}

func (o Options) check() error {
	limits := []struct {
		name  string
		value int
		min   int
	}{
		{"--warmup", o.WarmupSeconds, 0},
		{"--duration", o.DurationSeconds, 1},
		{"--rounds", o.Rounds, 1},
		{"--idle", o.IdleConnections, 1},
		{"--hold", o.HoldSeconds, 0},
		{"--start-timeout", o.StartTimeout, 1},
	}
	for _, l := range limits {
		if l.value < l.min {
			return fmt.Errorf("%s must be at least %d, not %d", l.name, l.min, l.value)
		}
	}
	for _, dir := range []struct{ name, value string }{{"--repo", o.RepoDir}, {"--jdk", o.JDKDir}, {"--bin", o.BinDir}} {
		if dir.value == "" {
			return fmt.Errorf("%s is missing (benchmarks/run sets it: run the harness through benchmarks/run)", dir.name)
		}
	}
	return nil
}

// parseScenarioList turns "s3,S1" into [S1 S3]: known ids, each once, in catalogue order.
func parseScenarioList(list string) ([]string, error) {
	chosen := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		id := strings.ToUpper(strings.TrimSpace(item))
		if id == "" {
			continue
		}
		if _, ok := scenarioTitles[id]; !ok {
			return nil, fmt.Errorf("unknown scenario %q (known: S1, S2, S3, S4)", strings.TrimSpace(item))
		}
		chosen[id] = true
	}
	if len(chosen) == 0 {
		return nil, errors.New("--scenarios names no scenario")
	}
	ids := make([]string, 0, len(chosen))
	for id := range chosen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// parseServerList turns "go,gonetpoll" into a set of transport keys; "" selects all.
func parseServerList(list string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	known := map[string]bool{}
	for _, k := range transportKeys {
		known[k] = true
	}
	chosen := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		key := strings.ToLower(strings.TrimSpace(item))
		if key == "" {
			continue
		}
		if !known[key] {
			return nil, fmt.Errorf("unknown server %q (known: %s)", strings.TrimSpace(item), strings.Join(transportKeys, ", "))
		}
		chosen[key] = true
	}
	if len(chosen) == 0 {
		return nil, errors.New("--servers names no server")
	}
	return chosen, nil
}
