package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHelloAnswersThirteenBytesOfPlainText(t *testing.T) {
	for name, handler := range map[string]http.Handler{"hello": http.HandlerFunc(hello), "blocking": blocking(time.Millisecond)} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest("GET", "/anything", nil))
		if rec.Code != 200 || rec.Body.String() != "Hello, World!" ||
			rec.Header().Get("Content-Type") != "text/plain" || rec.Header().Get("Content-Length") != "13" {
			t.Errorf("%s: %d %q %v", name, rec.Code, rec.Body.String(), rec.Header())
		}
	}
}

func TestEchoReturnsWhatItReads(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = serveEcho(l) }()
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 3*echoBufferSize+5)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	go func() { _, _ = c.Write(msg) }()
	back := make([]byte, len(msg))
	if _, err := io.ReadFull(c, back); err != nil {
		t.Fatal(err)
	}
	if string(back) != string(msg) {
		t.Error("echo differs")
	}
}

func TestBadArguments(t *testing.T) {
	if err := checkArgs(nil, "echo", 0, 1); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"argument": checkArgs([]string{"x"}, "hello", 80, 1),
		"mode":     checkArgs(nil, "proxy", 80, 1),
		"port":     checkArgs(nil, "hello", 65536, 1),
		"negative": checkArgs(nil, "hello", -1, 1),
		"sleep":    checkArgs(nil, "blocking", 80, -1),
	} {
		if err == nil {
			t.Errorf("bad %s accepted", name)
		}
	}
}
