package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// serve runs the service with its connection limits: a client sending
// headers a byte at a time, or holding an idle connection, is cut off
// instead of holding a goroutine until the process stops. (The limits are
// shortened here; serve's own are serverlimits.Default, checked first.)
func TestServeCutsSlowClients(t *testing.T) {
	svc, err := atlastest.New()
	if err != nil {
		t.Fatal(err)
	}
	d := serverlimits.Default()
	for _, allowFaults := range []bool{false, true} {
		srv := serveServer(svc, allowFaults, nil, nil)
		if srv.ReadHeaderTimeout != d.ReadHeader || srv.IdleTimeout != d.Idle || srv.ReadTimeout != d.Read ||
			srv.WriteTimeout != d.Write || srv.MaxHeaderBytes != d.MaxHeaderBytes {
			t.Fatalf("serve's server (faults allowed: %t) lacks the limits %+v: %+v", allowFaults, d, srv)
		}
	}
	srv := serveServer(svc, false, nil, nil)
	srv.ReadHeaderTimeout, srv.IdleTimeout = 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv:          func(string) string { return "" },
		stdinIsTerminal: func() bool { return false },
		signals:         ctx,
	}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, e, ln, srv, atlastest.GenerateAPIKey(), false, false) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}()

	for _, tc := range []struct{ name, send string }{
		{"headers a byte at a time", "DELETE /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens HTTP/1.1\r\nHost: x\r\n"},
		{"connected, silent", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				if _, err := io.WriteString(conn, tc.send); err != nil || tc.send == "" {
					return
				}
				for {
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
					if _, err := io.WriteString(conn, "X"); err != nil {
						return
					}
				}
			}()
			b, err := io.ReadAll(conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the connection was still open after 10s")
			}
			if s := string(b); s != "" && !strings.HasPrefix(s, "HTTP/1.1 400") && !strings.HasPrefix(s, "HTTP/1.1 408") {
				t.Errorf("answered %q", s)
			}
		})
	}
}

// TestServeCapsConnections: serve takes at most serverlimits' MaxConns
// connections at once; one more is answered only once another closes,
// rather than costing a goroutine and buffers each without bound.
func TestServeCapsConnections(t *testing.T) {
	addr, _, _, stop := serveRunning(t, nil)
	defer stop()
	host := strings.TrimPrefix(addr, "http://")
	held := make([]net.Conn, 0, serverlimits.Default().MaxConns)
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range serverlimits.Default().MaxConns {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	one, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if _, err := io.WriteString(one, "GET /api/atlas/v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		_, err := http.ReadResponse(bufio.NewReader(one), nil)
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a connection past the cap was served at once (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("once a slot was free: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a connection past the cap was not served once another closed")
	}
}
