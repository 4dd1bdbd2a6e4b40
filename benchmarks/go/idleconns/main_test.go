package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAllConnectionsAreEstablishedAndHeld(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Hello, World!"))
	}))
	defer server.Close()
	pool := openAll(server.Listener.Addr().String(), 50, 8, 5*time.Second)
	if len(pool.conns) != 50 || pool.failures.count != 0 {
		t.Fatalf("%d held, %d failures: %v", len(pool.conns), pool.failures.count, pool.failures.first)
	}
	if closed := pool.closeAll(); closed != 0 {
		t.Errorf("%d closed early", closed)
	}
}

func TestRefusedAnswersAreFailures(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"status 503": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
		"no keep-alive": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte("bye"))
		},
	}
	for name, handler := range cases {
		server := httptest.NewServer(handler)
		pool := openAll(server.Listener.Addr().String(), 5, 2, 5*time.Second)
		if len(pool.conns) != 0 || pool.failures.count != 5 {
			t.Errorf("%s: %d held, %d failures", name, len(pool.conns), pool.failures.count)
		}
		pool.closeAll()
		server.Close()
	}
}

func TestConnectionsTheServerClosesAreCounted(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Hello, World!"))
	}))
	pool := openAll(server.Listener.Addr().String(), 3, 3, 5*time.Second)
	if len(pool.conns) != 3 {
		t.Fatalf("%d held", len(pool.conns))
	}
	server.CloseClientConnections()
	deadline := time.Now().Add(10 * time.Second)
	for pool.closedEarly.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if closed := pool.closeAll(); closed != 3 {
		t.Errorf("%d closed early, want 3", closed)
	}
	server.Close()
}

func TestRefusedConnectIsAFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pool := openAll(addr, 2, 2, time.Second)
	if pool.failures.count != 2 || !strings.Contains(pool.failures.first[0], "refused") {
		t.Errorf("failures %d %v", pool.failures.count, pool.failures.first)
	}
}
