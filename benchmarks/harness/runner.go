package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Runner runs scenarios by BENCHMARKS.md's method and collects their rows.
type Runner struct {
	ctx    context.Context
	opts   Options
	log    io.Writer // progress, to the console and run.log
	rawDir string    // load generator outputs
	logDir string    // server stdout/stderr
	Rows   []*Row
}

func (r *Runner) logf(format string, args ...interface{}) {
	fmt.Fprintf(r.log, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// fileName makes a file name out of labels ("S1", "c64", "epoll offloaded" -> "S1-c64-epoll_offloaded").
func fileName(parts ...string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
			return c
		default:
			return '_'
		}
	}, strings.Join(parts, "-"))
}

// Run runs one scenario; its rows are added to r.Rows even when it is interrupted half-way.
func (r *Runner) Run(sc Scenario) {
	r.logf("%s: %s (%d servers)", sc.ID, sc.Title, len(sc.Servers))
	if sc.Kind == IdleLoad {
		r.runIdle(sc)
	} else {
		r.runThroughput(sc)
	}
}

// serverRows are a scenario's rows by load label and server name.
type serverRows map[string]map[string]*Row

// each calls f with the row of the named server under every load.
func (rows serverRows) each(server string, f func(*Row)) {
	for _, byServer := range rows {
		f(byServer[server])
	}
}

// newRows adds one row per load and server, in table order (loads outer).
func (r *Runner) newRows(sc Scenario) serverRows {
	rows := serverRows{}
	for _, load := range sc.Loads {
		rows[load.Label] = map[string]*Row{}
		for _, spec := range sc.Servers {
			row := &Row{Scenario: sc, Load: load, Server: spec}
			rows[load.Label][spec.Name] = row
			r.Rows = append(r.Rows, row)
		}
	}
	return rows
}

// start starts a server for a scenario; on failure its rows say why and nil is returned.
func (r *Runner) start(sc Scenario, spec ServerSpec, logName string, rows serverRows) *Server {
	r.logf("%s: starting %s", sc.ID, spec.Name)
	server, err := StartServer(r.ctx, spec, r.opts, r.logDir, logName)
	if err != nil {
		r.logf("%s: %s unavailable: %v", sc.ID, spec.Name, err)
		if se, ok := err.(*StartError); ok && se.Detail != "" {
			r.logf("%s: end of %s's stderr:\n%s", sc.ID, spec.Name, indent(se.Detail))
		}
		rows.each(spec.Name, func(row *Row) {
			if len(row.Rounds) > 0 { // S3 starts a server every round
				row.Notes = append(row.Notes, "a later start failed: "+err.Error())
			} else {
				row.Unavailable = err.Error()
			}
		})
		return nil
	}
	r.logf("%s: %s listening on port %d (pid %d)", sc.ID, spec.Name, server.Port, server.PID())
	return server
}

// measure runs one load against a server for the given seconds and returns it as a round.
func (r *Runner) measure(sc Scenario, load Load, server *Server, seconds int, raw string) (Round, error) {
	rawPath := filepath.Join(r.rawDir, raw)
	switch sc.Kind {
	case HTTPLoad:
		res, err := RunWrk(r.ctx, server.Port, load.Connections, seconds, rawPath)
		return Round{Value: res.RequestsPerSecond, P50: res.P50, P99: res.P99, Errors: res.Errors(), Raw: raw}, err
	case EchoLoad:
		res, err := RunEchoLoad(r.ctx, r.opts, server.Port, load.Connections, seconds, rawPath)
		return Round{Value: res.BytesPerSecond / 1e6, P50: res.P50, P99: res.P99, Errors: res.Errors, Raw: raw}, err
	default:
		panic("measure: no throughput load in " + sc.ID)
	}
}

// runThroughput runs S1, S2 and S4: every server started once and warmed up, then the measured
// rounds interleaved across servers (A B C A B C ...), every load in each round.
func (r *Runner) runThroughput(sc Scenario) {
	rows := r.newRows(sc)
	var servers []*Server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for _, spec := range sc.Servers {
		if r.ctx.Err() != nil {
			return
		}
		if s := r.start(sc, spec, fileName(sc.ID, spec.Name), rows); s != nil {
			servers = append(servers, s)
		}
	}

	// A server that dies is noted once and measured no more.
	dead := map[*Server]bool{}
	alive := func(s *Server, when string) bool {
		if dead[s] {
			return false
		}
		if s.Alive() {
			return true
		}
		dead[s] = true
		reason := s.DeathReason() + " " + when
		r.logf("%s: %s: %s", sc.ID, s.Spec.Name, reason)
		rows.each(s.Spec.Name, func(row *Row) { row.Notes = append(row.Notes, reason) })
		return false
	}

	if r.opts.WarmupSeconds > 0 {
		warmLoad := sc.Loads[0]
		for _, s := range servers {
			if r.ctx.Err() != nil {
				return
			}
			if !alive(s, "before the warm-up") {
				continue
			}
			r.logf("%s: warm-up %s, %d s (%s)", sc.ID, s.Spec.Name, r.opts.WarmupSeconds, warmLoad.Label)
			_, err := r.measure(sc, warmLoad, s, r.opts.WarmupSeconds, fileName(sc.ID, warmLoad.Label, s.Spec.Name, "warmup.txt"))
			if err != nil && r.ctx.Err() == nil {
				r.logf("%s: warm-up of %s: %v", sc.ID, s.Spec.Name, err)
				row := rows[warmLoad.Label][s.Spec.Name]
				row.Notes = append(row.Notes, "warm-up: "+err.Error())
			}
			alive(s, "during the warm-up")
		}
	}

	for round := 1; round <= r.opts.Rounds; round++ {
		for _, load := range sc.Loads {
			for _, s := range servers {
				if r.ctx.Err() != nil {
					return
				}
				if !alive(s, fmt.Sprintf("before round %d", round)) {
					continue
				}
				row := rows[load.Label][s.Spec.Name]
				raw := fileName(sc.ID, load.Label, s.Spec.Name, fmt.Sprintf("round%d.txt", round))
				result, err := r.measure(sc, load, s, r.opts.DurationSeconds, raw)
				if r.ctx.Err() != nil {
					return
				}
				if !alive(s, fmt.Sprintf("during round %d", round)) {
					continue
				}
				if err != nil {
					r.logf("%s %s round %d/%d %s: %v", sc.ID, load.Label, round, r.opts.Rounds, s.Spec.Name, err)
					row.Notes = append(row.Notes, fmt.Sprintf("round %d: %v", round, err))
					continue
				}
				result.Number = round
				row.Rounds = append(row.Rounds, result)
				r.logf("%s %s round %d/%d %-22s %s  p50 %s  p99 %s  errors %d", sc.ID, load.Label, round, r.opts.Rounds,
					s.Spec.Name, formatValue(sc.Metric, result.Value), formatLatency(result.P50), formatLatency(result.P99), result.Errors)
			}
		}
	}

	for _, s := range servers {
		if !alive(s, "at the end") {
			continue
		}
		rss, err := s.RSSKilobytes()
		if err != nil {
			r.logf("%s: RSS of %s: %v", sc.ID, s.Spec.Name, err)
			continue
		}
		rows.each(s.Spec.Name, func(row *Row) { row.RSSEndKB = rss })
	}
}

// runIdle runs S3. Every round starts each server afresh (rounds interleaved across servers), warms
// it up with wrk, and reads its RSS before the idle connections are opened and after they have been
// held for a while; for a JVM a full GC comes before each reading.
func (r *Runner) runIdle(sc Scenario) {
	rows := r.newRows(sc)
	load := sc.Loads[0]
	if err := checkFileLimit(load.Connections + fileLimitMargin); err != nil {
		r.logf("%s: %v", sc.ID, err)
		for _, spec := range sc.Servers {
			rows.each(spec.Name, func(row *Row) { row.Unavailable = err.Error() })
		}
		return
	}
	unavailable := map[string]bool{}
	for round := 1; round <= r.opts.Rounds; round++ {
		for _, spec := range sc.Servers {
			if r.ctx.Err() != nil {
				return
			}
			if unavailable[spec.Name] {
				continue
			}
			row := rows[load.Label][spec.Name]
			server := r.start(sc, spec, fileName(sc.ID, spec.Name, fmt.Sprintf("round%d", round)), rows)
			if server == nil {
				unavailable[spec.Name] = true
				continue
			}
			result, err := r.idleRound(sc, load, server, round)
			if err != nil && !server.Alive() {
				err = fmt.Errorf("%s (%v)", server.DeathReason(), err)
			}
			server.Stop()
			if r.ctx.Err() != nil {
				return
			}
			if err != nil {
				r.logf("%s round %d/%d %s: %v", sc.ID, round, r.opts.Rounds, spec.Name, err)
				row.Notes = append(row.Notes, fmt.Sprintf("round %d: %v", round, err))
				continue
			}
			result.Number = round
			row.Rounds = append(row.Rounds, result)
			row.RSSEndKB = result.RSSAfterKB
			r.logf("%s round %d/%d %-22s RSS %d -> %d KB with %d connections: %s  errors %d", sc.ID, round, r.opts.Rounds,
				spec.Name, result.RSSBeforeKB, result.RSSAfterKB, result.Established, formatValue(sc.Metric, result.Value), result.Errors)
		}
	}
}

// idleRound measures one server's RSS growth per idle connection.
func (r *Runner) idleRound(sc Scenario, load Load, server *Server, round int) (Round, error) {
	name := server.Spec.Name
	if r.opts.WarmupSeconds > 0 {
		r.logf("%s: warm-up %s, %d s (wrk c%d)", sc.ID, name, r.opts.WarmupSeconds, warmupConnections)
		raw := filepath.Join(r.rawDir, fileName(sc.ID, name, fmt.Sprintf("round%d", round), "warmup.txt"))
		if _, err := RunWrk(r.ctx, server.Port, warmupConnections, r.opts.WarmupSeconds, raw); err != nil {
			return Round{}, fmt.Errorf("warm-up: %v", err)
		}
		// Let the warm-up's connections close before the first reading.
		if err := sleep(r.ctx, time.Second); err != nil {
			return Round{}, err
		}
	}
	before, err := r.settledRSS(server)
	if err != nil {
		return Round{}, err
	}
	raw := fileName(sc.ID, name, fmt.Sprintf("round%d", round), "idleconns.txt")
	client, err := StartIdleClient(r.ctx, r.opts, server.Port, load.Connections, filepath.Join(r.rawDir, raw))
	if err != nil {
		return Round{}, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = client.Stop()
		}
	}()
	if client.Ready.Established == 0 {
		return Round{}, fmt.Errorf("no connection could be established (%d failed); see raw/%s", client.Ready.Failed, raw)
	}
	if err := sleep(r.ctx, time.Duration(r.opts.HoldSeconds)*time.Second); err != nil {
		return Round{}, err
	}
	after, err := r.settledRSS(server)
	if err != nil {
		return Round{}, err
	}
	counts, err := client.Stop()
	stopped = true
	if err != nil {
		return Round{}, err
	}
	if !server.Alive() {
		return Round{}, fmt.Errorf("%s while the connections were held", server.DeathReason())
	}
	return Round{
		Value:       float64(after-before) / float64(counts.Established),
		Errors:      counts.Failed + counts.ClosedEarly,
		RSSBeforeKB: before,
		RSSAfterKB:  after,
		Established: counts.Established,
		Raw:         raw,
	}, nil
}

// settledRSS reads a server's RSS after a full GC (JVM servers only).
func (r *Runner) settledRSS(server *Server) (int64, error) {
	if err := server.CollectGarbage(r.ctx, r.opts); err != nil {
		return 0, err
	}
	return server.RSSKilobytes()
}

// fileLimitMargin is what a server or client needs besides one descriptor per connection (a JVM
// alone holds a few hundred: jars, threads' eventfds, epoll).
const fileLimitMargin = 1024

// checkFileLimit fails unless this process, and so the servers and clients it starts, may open
// need files. benchmarks/run raises the soft limit to the hard one.
func checkFileLimit(need int) error {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return fmt.Errorf("cannot read the open files limit: %v", err)
	}
	if limit.Cur < uint64(need) {
		return fmt.Errorf("needs %d open files per process, the limit is %d (raise ulimit -n, or lower --idle)", need, limit.Cur)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func indent(text string) string {
	return "    " + strings.ReplaceAll(text, "\n", "\n    ")
}
