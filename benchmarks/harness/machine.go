package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// MachineInfo describes where and with what a run was made.
type MachineInfo struct {
	CPUModel string
	CPUs     int
	Kernel   string
	JDK      string
	Go       string
	Wrk      string
	Commit   string
	LoadAvg  string
}

// describeMachine gathers MachineInfo; whatever cannot be found is "unknown".
func describeMachine(o Options) MachineInfo {
	m := MachineInfo{CPUModel: "unknown", Kernel: "unknown", JDK: "unknown", Wrk: "unknown", Commit: "unknown"}
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(cpuinfo), "\n") {
			key, value, ok := strings.Cut(line, ":")
			key = strings.TrimSpace(key)
			switch {
			case !ok:
			case key == "processor":
				m.CPUs++ // every CPU of the machine, not only those this process may run on
			case key == "model name" && m.CPUModel == "unknown":
				m.CPUModel = strings.TrimSpace(value)
			}
		}
	}
	if release, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(release))
	}
	if out, err := exec.Command(filepath.Join(o.JDKDir, "bin", "java"), "-version").CombinedOutput(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) > 2 {
			lines = lines[:2]
		}
		m.JDK = strings.Join(lines, "; ") + " (" + o.JDKDir + ")"
	}
	// The harness is built by the same go as the Go peer and the load clients.
	m.Go = runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	// wrk --version exits with 1 after printing its version.
	if out, _ := exec.Command("wrk", "--version").CombinedOutput(); len(out) > 0 {
		line := firstLine(string(out))
		if i := strings.Index(line, " Copyright"); i > 0 {
			line = line[:i]
		}
		m.Wrk = line
	}
	if out, err := exec.Command("git", "-C", o.RepoDir, "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if status, err := exec.Command("git", "-C", o.RepoDir, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(status) > 0 {
			m.Commit += " with uncommitted changes"
		}
	}
	m.LoadAvg = loadAverage()
	return m
}

// loadAverage is the 1, 5 and 15 minute load average.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}
