package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The CPUs of the method: servers on one, every load generator (and this harness) on the other.
const (
	serverCPU = "0"
	loadCPU   = "1"
)

// listeningMarker is what a server prints once it is bound.
const listeningMarker = " listening on "

// stopGrace is how long a stopped server may take to exit before it is killed.
const stopGrace = 15 * time.Second

// Server is a running server process.
type Server struct {
	Spec       ServerSpec
	Port       int
	cmd        *exec.Cmd
	exited     chan struct{} // closed when the process has exited; exitErr is set then
	exitErr    error
	stderrPath string
}

// StartError says why a server could not be started; Reason is one line for the table.
type StartError struct {
	Reason string
	Detail string // the end of the server's stderr, for the console
}

func (e *StartError) Error() string { return e.Reason }

// serverCommand is the command line of a server on the given port, pinned to the server CPU.
func serverCommand(spec ServerSpec, port int, o Options) (argv []string, env []string) {
	env = os.Environ()
	argv = []string{"taskset", "-c", serverCPU}
	if spec.Go {
		argv = append(argv, filepath.Join(o.BinDir, "server"))
		argv = append(argv, spec.Command...)
		argv = append(argv, "-port", strconv.Itoa(port))
		// One processor for every server: the Go scheduler's counterpart of --processors 1.
		env = append(env, "GOMAXPROCS=1")
		return argv, env
	}
	argv = append(argv, filepath.Join(o.JDKDir, "bin", "java"), "-Xmx1g", "-jar", spec.jar(o))
	argv = append(argv, spec.Command...)
	argv = append(argv, "--port", strconv.Itoa(port), "--processors", "1", "--transport", spec.Key)
	return argv, env
}

// StartServer starts a server and waits until it prints its listening line. Its stdout and stderr
// go to logDir/<name>.out and .err. On failure nothing is left running and the error is a
// *StartError.
func StartServer(ctx context.Context, spec ServerSpec, o Options, logDir, name string) (*Server, error) {
	if !spec.Go {
		if _, err := os.Stat(spec.jar(o)); err != nil {
			return nil, &StartError{Reason: "examples jar not found: " + spec.jar(o) + " (benchmarks/run builds it unless --no-build)"}
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, &StartError{Reason: "no free port: " + err.Error()}
	}
	argv, env := serverCommand(spec, port, o)
	stdoutLog, err := os.Create(filepath.Join(logDir, name+".out"))
	if err != nil {
		return nil, err
	}
	stderrPath := filepath.Join(logDir, name+".err")
	stderrLog, err := os.Create(stderrPath)
	if err != nil {
		stdoutLog.Close()
		return nil, err
	}
	fmt.Fprintf(stdoutLog, "# %s\n", strings.Join(argv, " "))

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stderr = stderrLog
	// Should the harness die, the server goes with it (taskset execs the server, so this holds for it).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		stdoutLog.Close()
		stderrLog.Close()
		return nil, &StartError{Reason: "cannot run " + argv[0] + ": " + err.Error()}
	}
	s := &Server{Spec: spec, Port: port, cmd: cmd, exited: make(chan struct{}), stderrPath: stderrPath}

	listening := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		// Copy stdout to its log for the server's whole life (a full pipe would block it).
		defer close(copied)
		scanner := bufio.NewScanner(stdout)
		announced := false
		for scanner.Scan() {
			line := scanner.Text()
			fmt.Fprintln(stdoutLog, line)
			if !announced && strings.Contains(line, listeningMarker) {
				announced = true
				close(listening)
			}
		}
	}()
	go func() {
		<-copied // Wait closes the pipe, so only after everything was read
		s.exitErr = cmd.Wait()
		stdoutLog.Close()
		stderrLog.Close()
		close(s.exited)
	}()

	timer := time.NewTimer(time.Duration(o.StartTimeout) * time.Second)
	defer timer.Stop()
	select {
	case <-listening:
		return s, nil
	case <-s.exited:
		return nil, s.startFailure(describeExit(s.exitErr) + " before listening")
	case <-timer.C:
		s.Stop()
		return nil, s.startFailure(fmt.Sprintf("no %q line within %d s", strings.TrimSpace(listeningMarker), o.StartTimeout))
	case <-ctx.Done():
		s.Stop()
		return nil, &StartError{Reason: "interrupted"}
	}
}

// startFailure builds the StartError of a server that failed to start. An exit code of 2 is a
// usage error of the examples jar (and of the Go server): the command or an option does not exist.
func (s *Server) startFailure(what string) *StartError {
	first, tail := stderrSummary(s.stderrPath)
	reason := "server cannot start: " + what
	var exitErr *exec.ExitError
	if errors.As(s.exitErr, &exitErr) && exitErr.ExitCode() == 2 {
		reason = "server command not available (usage error): " + what
	}
	if first != "" {
		reason += ": " + first
	}
	return &StartError{Reason: reason, Detail: tail}
}

// Alive reports whether the process is still running.
func (s *Server) Alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// DeathReason describes how a server that is no longer alive ended, with its first stderr line.
func (s *Server) DeathReason() string {
	first, _ := stderrSummary(s.stderrPath)
	reason := "server " + describeExit(s.exitErr)
	if first != "" {
		reason += ": " + first
	}
	return reason
}

// PID is the server's process id (taskset execs the server, so it is the server's own).
func (s *Server) PID() int {
	return s.cmd.Process.Pid
}

// Stop asks the server to stop (SIGTERM) and kills it if it has not exited after stopGrace.
func (s *Server) Stop() {
	if !s.Alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopGrace):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// RSSKilobytes reads the server's resident set size (VmRSS of /proc/PID/status) in KiB.
func (s *Server) RSSKilobytes() (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(string(status))
}

// CollectGarbage runs a full GC in a JVM server (jcmd GC.run, on the load CPU) so that garbage does
// not count in the next RSS reading. The Go server is left as it is.
func (s *Server) CollectGarbage(ctx context.Context, o Options) error {
	if s.Spec.Go {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "taskset", "-c", loadCPU, filepath.Join(o.JDKDir, "bin", "jcmd"), strconv.Itoa(s.PID()), "GC.run")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("jcmd %d GC.run %s: %s", s.PID(), describeExit(err), firstLine(string(out)))
	}
	return nil
}

// parseVmRSS finds "VmRSS:   12345 kB" in the text of /proc/PID/status.
func parseVmRSS(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		if !strings.HasPrefix(line, "VmRSS:") {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, "VmRSS:"))
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", line)
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, errors.New("no VmRSS line (has the process exited?)")
}

// freePort asks the kernel for a port that is free now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// describeExit says how a process ended, from the error of its Wait.
func describeExit(err error) string {
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return "exited with code 0"
	case errors.As(err, &exitErr):
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return "killed by signal " + status.Signal().String()
		}
		return fmt.Sprintf("exited with code %d", exitErr.ExitCode())
	default:
		return err.Error()
	}
}

// stderrSummary returns the first non-empty line of a log (one line for the table) and its last
// lines (for the console).
func stderrSummary(path string) (first, tail string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", ""
	}
	first = firstLine(string(data))
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	const tailLines = 10
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return first, strings.Join(lines, "\n")
}

// firstLine is the first non-blank line of text, trimmed and cut to a table-friendly length.
func firstLine(text string) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" {
			const maxLen = 200
			if len(line) > maxLen {
				line = line[:maxLen] + "..."
			}
			return line
		}
	}
	return ""
}
