// Command harness runs gonetpoll's benchmark scenarios S1-S4 by BENCHMARKS.md's method and writes
// the results table. It is started by benchmarks/run, which checks the prerequisites, builds the
// servers and the load clients, and passes their locations (--repo, --jdk, --bin).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	opts, err := parseOptions(args, os.Stdout)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmarks/run: %v (--help lists the options)\n", err)
		return 2
	}

	started := time.Now()
	dir, err := newResultsDir(opts.ResultsRoot(), "results-"+started.Format("20060102-150405"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmarks/run: %v\n", err)
		return 1
	}
	name := filepath.Base(dir)
	rawDir := filepath.Join(dir, "raw")
	logDir := filepath.Join(dir, "servers")
	for _, d := range []string{rawDir, logDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "benchmarks/run: %v\n", err)
			return 1
		}
	}
	runLog, err := os.Create(filepath.Join(dir, "run.log"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmarks/run: %v\n", err)
		return 1
	}
	defer runLog.Close()
	console := io.MultiWriter(os.Stdout, runLog)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	info := RunInfo{Name: name, Started: started, Machine: describeMachine(opts), Options: opts}
	runner := &Runner{ctx: ctx, opts: opts, log: console, rawDir: rawDir, logDir: logDir}
	runner.logf("results go to %s", dir)
	if opts.Smoke() {
		runner.logf("smoke run: below BENCHMARKS.md's minimums (warm-up %d s, %d round%s), numbers are not results", opts.WarmupSeconds, opts.Rounds, plural(opts.Rounds))
	}
	var scenarios []Scenario
	for _, id := range opts.Scenarios {
		scenarios = append(scenarios, scenario(id, opts))
	}
	runner.logf("scenarios %s, about %d min", strings.Join(opts.Scenarios, ", "), (estimateSeconds(scenarios, opts)+59)/60)

	for _, sc := range scenarios {
		if ctx.Err() != nil {
			break
		}
		if len(sc.Servers) == 0 {
			runner.logf("%s: no server selected by --servers", sc.ID)
			continue
		}
		runner.Run(sc)
	}
	info.Interrupted = ctx.Err() != nil
	info.Ended = time.Now()
	info.LoadAvgAtEnd = loadAverage()

	var report bytes.Buffer
	WriteMarkdown(&report, info, runner.Rows)
	fmt.Fprintln(console)
	_, _ = console.Write(report.Bytes())
	if err := writeResultFiles(dir, report.Bytes(), runner.Rows); err != nil {
		fmt.Fprintf(os.Stderr, "benchmarks/run: %v\n", err)
		return 1
	}
	fmt.Fprintf(console, "\nSaved: %s (results.md, results.csv, rounds.csv, raw/, servers/, run.log)\n", dir)
	if info.Interrupted {
		return 130
	}
	return 0
}

// newResultsDir creates root/name, or root/name-2 ... when a run started in the same second.
func newResultsDir(root, name string) (string, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	for i := 1; ; i++ {
		dir := filepath.Join(root, name)
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", dir, i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !os.IsExist(err) {
			return "", err
		}
	}
}

func writeResultFiles(dir string, markdown []byte, rows []*Row) error {
	if err := os.WriteFile(filepath.Join(dir, "results.md"), markdown, 0o644); err != nil {
		return err
	}
	for file, write := range map[string]func(io.Writer, []*Row) error{
		"results.csv": WriteSummaryCSV,
		"rounds.csv":  WriteRoundsCSV,
	} {
		var buf bytes.Buffer
		if err := write(&buf, rows); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// estimateSeconds is a rough length of the run, for planning (server starts count 5 s each).
func estimateSeconds(scenarios []Scenario, o Options) int {
	const start = 5
	total := 0
	for _, sc := range scenarios {
		n := len(sc.Servers)
		if sc.Kind == IdleLoad {
			total += o.Rounds * n * (start + o.WarmupSeconds + o.HoldSeconds + 5)
		} else {
			total += n * (start + o.WarmupSeconds + o.Rounds*len(sc.Loads)*o.DurationSeconds)
		}
	}
	return total
}

// printUsage writes the usage of benchmarks/run, without the options only benchmarks/run sets.
func printUsage(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprint(w, `usage: benchmarks/run [--no-build] [options]

Runs gonetpoll's benchmark scenarios (S1 hello, S2 1 ms blocking handler, S3 idle connections,
S4 echo) against Netty epoll, io_uring, NIO and Go by the method of BENCHMARKS.md, and writes the
results to benchmarks/target/results-<timestamp>/. See benchmarks/README.md.

  --no-build              do not build the examples jar (the Go programs are always built)
`)
	flags.VisitAll(func(f *flag.Flag) {
		if f.Name == "repo" || f.Name == "jdk" || f.Name == "bin" {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if arg != "" {
			left += " " + strings.ToUpper(arg)
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += " [" + f.DefValue + "]"
		}
		fmt.Fprintf(w, "  %-23s %s\n", left, usage)
	})
}
