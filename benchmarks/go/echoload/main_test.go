package main

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// echoServer accepts connections and hands each to serve; it returns the address.
func echoServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return l.Addr().String()
}

// echoWith echoes every chunk after passing it through change.
func echoWith(change func([]byte)) func(net.Conn) {
	return func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				change(buf[:n])
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}

const testSize = 64 * 1024

func TestCorrectEchoIsCounted(t *testing.T) {
	addr := echoServer(t, echoWith(func([]byte) {}))
	for _, window := range []int{1, 4} {
		r := runConnection(0, addr, testSize, window, time.Now().Add(200*time.Millisecond), 5*time.Second)
		if r.err != nil {
			t.Fatalf("window %d: %v", window, r.err)
		}
		if r.bytes == 0 || r.bytes%testSize != 0 || int64(len(r.rtts)) != r.bytes/testSize {
			t.Errorf("window %d: %d bytes, %d round trips", window, r.bytes, len(r.rtts))
		}
	}
}

func TestCorruptedEchoIsAnError(t *testing.T) {
	flipped := false
	addr := echoServer(t, echoWith(func(b []byte) {
		if !flipped && len(b) > 100 {
			b[100] ^= 0xff // in the body of the first message
			flipped = true
		}
	}))
	r := runConnection(0, addr, testSize, 1, time.Now().Add(time.Second), 5*time.Second)
	if r.err == nil || !strings.Contains(r.err.Error(), "differs") {
		t.Errorf("error %v", r.err)
	}
}

func TestEchoOfAnotherMessageIsAnError(t *testing.T) {
	addr := echoServer(t, func(c net.Conn) {
		header := make([]byte, headerSize)
		if _, err := io.ReadFull(c, header); err != nil {
			return
		}
		header[headerSize-1] = 9 // message 0 comes back as message 9
		if _, err := c.Write(header); err != nil {
			return
		}
		echoWith(func([]byte) {})(c)
	})
	r := runConnection(0, addr, testSize, 1, time.Now().Add(time.Second), 5*time.Second)
	if r.err == nil || !strings.Contains(r.err.Error(), "sequence number 9") {
		t.Errorf("error %v", r.err)
	}
}

func TestShortEchoIsAnError(t *testing.T) {
	addr := echoServer(t, func(c net.Conn) {
		buf := make([]byte, testSize/2)
		n, _ := c.Read(buf)
		_, _ = c.Write(buf[:n]) // at most half a message, then close
	})
	r := runConnection(0, addr, testSize, 1, time.Now().Add(time.Second), 5*time.Second)
	if r.err == nil || !strings.Contains(r.err.Error(), "reading the echo of message 0") {
		t.Errorf("error %v", r.err)
	}
}

func TestRefusedConnectionIsAnError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if r := runConnection(0, addr, testSize, 1, time.Now().Add(time.Second), time.Second); r.err == nil {
		t.Error("no error")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Microsecond)
	}
	if p := percentileMicros(d, 50); p != 50 {
		t.Errorf("p50 %v", p)
	}
	if p := percentileMicros(d, 99); p != 99 {
		t.Errorf("p99 %v", p)
	}
	if p := percentileMicros(nil, 99); p != 0 {
		t.Errorf("empty %v", p)
	}
}
