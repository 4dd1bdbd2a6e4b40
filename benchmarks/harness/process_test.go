package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeJava makes a JDK directory whose bin/java is the given shell script, and an examples jar.
func fakeJava(t *testing.T, script string) Options {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "jdk", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jdk", "bin", "java"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	jar := filepath.Join(dir, "examples.jar")
	if err := os.WriteFile(jar, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{JDKDir: filepath.Join(dir, "jdk"), Jar: jar, BinDir: dir, StartTimeout: 10}
}

var hello = examplesServer("gonetpoll", "gonetpoll", true, "hello")

func TestServerCommandFollowsTheExamplesContract(t *testing.T) {
	o := Options{JDKDir: "/jdk", Jar: "/x.jar", BinDir: "/bin"}
	spec := examplesServer("epoll offloaded", "epoll", false, "blocking", "--sleep-ms", "1", "--offload")
	argv, _ := serverCommand(spec, 4000, o)
	want := "taskset -c 0 /jdk/bin/java -Xmx1g -jar /x.jar blocking --sleep-ms 1 --offload --port 4000 --processors 1 --transport epoll"
	if got := strings.Join(argv, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	argv, env := serverCommand(goServer("go", "-mode", "echo"), 4001, o)
	if got := strings.Join(argv, " "); got != "taskset -c 0 /bin/server -mode echo -port 4001" {
		t.Errorf("go: %s", got)
	}
	if env[len(env)-1] != "GOMAXPROCS=1" {
		t.Errorf("go env ends with %s", env[len(env)-1])
	}
}

func TestStartServerWaitsForTheListeningLine(t *testing.T) {
	o := fakeJava(t, `echo "starting"; echo "gonetpoll hello listening on http://0.0.0.0:1/"; exec sleep 60`)
	s, err := StartServer(context.Background(), hello, o, t.TempDir(), "ok")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Alive() {
		t.Fatal("not alive after listening")
	}
	if rss, err := s.RSSKilobytes(); err != nil || rss <= 0 {
		t.Errorf("rss %d, %v", rss, err)
	}
	s.Stop()
	if s.Alive() {
		t.Error("alive after Stop")
	}
	if !strings.Contains(s.DeathReason(), "signal terminated") {
		t.Errorf("death reason %q", s.DeathReason())
	}
}

func TestStartServerReportsAMissingCommand(t *testing.T) {
	o := fakeJava(t, `echo "gonetpoll-examples: unknown command 'echo'" >&2; echo "usage: ..." >&2; exit 2`)
	_, err := StartServer(context.Background(), hello, o, t.TempDir(), "usage")
	se, ok := err.(*StartError)
	if !ok {
		t.Fatalf("error %v", err)
	}
	want := "server command not available (usage error): exited with code 2 before listening: gonetpoll-examples: unknown command 'echo'"
	if se.Reason != want {
		t.Errorf("reason %q", se.Reason)
	}
	if !strings.Contains(se.Detail, "usage: ...") {
		t.Errorf("detail %q", se.Detail)
	}
}

func TestStartServerReportsAServerThatCannotStart(t *testing.T) {
	o := fakeJava(t, `echo "gonetpoll-examples hello: cannot start the io_uring event loop group: io_uring_setup: EPERM" >&2; exit 1`)
	_, err := StartServer(context.Background(), hello, o, t.TempDir(), "fails")
	if err == nil || err.Error() != "server cannot start: exited with code 1 before listening: gonetpoll-examples hello: cannot start the io_uring event loop group: io_uring_setup: EPERM" {
		t.Errorf("error %v", err)
	}
}

func TestStartServerGivesUpOnASilentServer(t *testing.T) {
	o := fakeJava(t, `exec sleep 60`)
	o.StartTimeout = 1
	_, err := StartServer(context.Background(), hello, o, t.TempDir(), "silent")
	if err == nil || !strings.Contains(err.Error(), `no "listening on" line within 1 s`) {
		t.Errorf("error %v", err)
	}
}

func TestStartServerWithoutTheJar(t *testing.T) {
	o := fakeJava(t, `exit 0`)
	o.Jar = filepath.Join(t.TempDir(), "missing.jar")
	_, err := StartServer(context.Background(), hello, o, t.TempDir(), "nojar")
	if err == nil || !strings.Contains(err.Error(), "examples jar not found") {
		t.Errorf("error %v", err)
	}
}

func TestParseVmRSS(t *testing.T) {
	rss, err := parseVmRSS("Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\nThreads:\t20\n")
	if err != nil || rss != 123456 {
		t.Errorf("%d, %v", rss, err)
	}
	for _, bad := range []string{"Name:\tjava\n", "VmRSS:\t 12 MB\n", "VmRSS:\t lots kB\n"} {
		if _, err := parseVmRSS(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
