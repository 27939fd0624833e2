package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

const (
	testOrg      = "4888442a3354817a7320eb61"
	testCreate   = "/api/atlas/v2/orgs/" + testOrg + "/liveMigrations/linkTokens"
	testMedia    = "application/vnd.atlas.2023-01-01+json"
	testCreateJS = `{"accessListIps":["192.0.2.10"]}`
)

// serving runs a proxy to upstream with limits on a loopback port until
// the test ends, and returns its address.
func serving(t *testing.T, upstream string, c Config) (*Proxy, string) {
	t.Helper()
	up, err := ParseUpstream(upstream)
	if err != nil {
		t.Fatal(err)
	}
	c.Upstream = up
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln, 100*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-done })
	return p, ln.Addr().String()
}

// postCreate sends a v2 create with well-formed bearer credentials (which
// nobody checks) through the proxy at addr.
func postCreate(t *testing.T, addr string) *http.Response {
	t.Helper()
	return postCreateBody(t, addr, testCreateJS)
}

// postCreateBody is postCreate with body as the request's.
func postCreateBody(t *testing.T, addr, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+testCreate, strings.NewReader(body))
	req.Header.Set("Content-Type", testMedia)
	req.Header.Set("Accept", testMedia)
	req.Header.Set("Authorization", "Bearer dGVzdA")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// waitFor polls cond every millisecond until it holds or 5 s have passed,
// and reports whether it held: the proxy counts and records an exchange
// after its answer has gone out.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// stalledPost opens a connection, sends the head of a create whose body
// is declared as 2 MB, then sent bytes of it, and stalls.
func stalledPost(addr string, sent []byte) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAccept: %s\r\nContent-Type: %s\r\nAuthorization: Bearer dGVzdA\r\nContent-Length: %d\r\n\r\n",
		testCreate, testMedia, testMedia, 2*len(sent))
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		return conn, err
	}
	_, err = conn.Write(sent)
	return conn, err
}

// TestBoundedUnderStalledBodies: 100 connections that each send 1 MB of
// a body and stall hold no more than the proxy's budget; past it, the
// proxy answers 503 with Retry-After instead of growing.
func TestBoundedUnderStalledBodies(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(upstream.Close)
	const budgetBytes = 8 << 20
	p, addr := serving(t, upstream.URL, Config{Limits: Limits{MaxBuffered: budgetBytes, Limits: serverlimits.Limits{MaxConns: 200}}})
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	body := []byte(strings.Repeat("x", 1_000_000))
	const conns = 100
	var (
		mu       sync.Mutex
		open     []net.Conn
		wg       sync.WaitGroup
		answered = make(chan string, conns)
	)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, _ := stalledPost(addr, body)
			if conn == nil {
				return
			}
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				answered <- fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}()
	}
	wg.Wait()
	close(answered)
	t.Cleanup(func() {
		for _, c := range open {
			c.Close()
		}
	})
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	st := p.Stats()
	if st.PeakBuffered > budgetBytes {
		t.Errorf("held %d body bytes at once, over the budget of %d", st.PeakBuffered, budgetBytes)
	}
	shed := 0
	for a := range answered {
		if a != "503 1" {
			t.Errorf("a stalled request was answered %q, want 503 with Retry-After 1", a)
		}
		shed++
	}
	if shed == 0 || st.Shed != int64(shed) {
		t.Errorf("%d answered 503, the proxy counted %d: want some, all counted", shed, st.Shed)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 3*budgetBytes {
		t.Errorf("the heap grew by %d MiB holding %d stalled bodies; the budget is %d MiB", grew>>20, conns, budgetBytes>>20)
	}
}

// TestTimeouts: a body that stalls is cut at ReadTimeout, an upstream that
// does not answer at UpstreamTimeout (504), and no more than MaxConns
// connections are served at once.
func TestTimeouts(t *testing.T) {
	stuck := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read to the end, or the server does not notice the proxy hang up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(stuck) }) // first: the upstream's Close waits for its handlers
	lim := Limits{Limits: serverlimits.Limits{Read: 300 * time.Millisecond, MaxConns: 2}, UpstreamTimeout: 300 * time.Millisecond}

	t.Run("slow body", func(t *testing.T) {
		_, addr := serving(t, upstream.URL, Config{Limits: lim})
		conn, err := stalledPost(addr, []byte(`{"accessListIps":`))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.ReadAll(conn) // the proxy closes it
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("a stalled body held its connection %s; the read timeout is %s", took, lim.Read)
		}
	})

	t.Run("stuck upstream", func(t *testing.T) {
		_, addr := serving(t, upstream.URL, Config{Limits: lim})
		start := time.Now()
		resp := postCreate(t, addr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusGatewayTimeout || time.Since(start) > 3*time.Second {
			t.Errorf("%d after %s, want 504 after about %s", resp.StatusCode, time.Since(start), lim.UpstreamTimeout)
		}
	})

	t.Run("connections", func(t *testing.T) {
		p, addr := serving(t, upstream.URL, Config{Limits: Limits{Limits: serverlimits.Limits{MaxConns: 2}}})
		for range 4 {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			_, _ = io.WriteString(conn, "GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n")
		}
		time.Sleep(300 * time.Millisecond)
		if n := p.Stats().InFlight; n != 2 {
			t.Errorf("%d requests served at once, want MaxConns=2", n)
		}
	})
}

// TestAResponsePastTheBudgetIsPassedOnUnchecked: an answer the proxy has
// no room to hold reaches the client whole, marked and counted as
// unchecked, never as conforming.
func TestAResponsePastTheBudgetIsPassedOnUnchecked(t *testing.T) {
	big := `{"linkToken":"` + strings.Repeat("A", 4000) + `"}`
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", testMedia)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, big)
	}))
	t.Cleanup(upstream.Close)
	p, addr := serving(t, upstream.URL, Config{Limits: Limits{MaxBuffered: 1000}})
	resp := postCreate(t, addr)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != big || resp.Header.Get(HeaderViolations) != "unchecked" {
		t.Errorf("%d bytes, %s %q; want the whole body, unchecked", len(got), HeaderViolations, resp.Header.Get(HeaderViolations))
	}
	waitFor(func() bool { return p.Stats().Unchecked > 0 })
	if st := p.Stats(); st.Unchecked != 1 || st.Checked != 0 || st.Unjudged() != 1 {
		t.Errorf("stats %+v: want one unchecked, none checked", st)
	}
}

// TestLimitsTakeTheProxysDefaults: a zero field takes the proxy's own
// default (not linktoken serve's), the write backstop follows the read and
// upstream timeouts, and a negative field is refused rather than left
// unbounded.
func TestLimitsTakeTheProxysDefaults(t *testing.T) {
	up, _ := ParseUpstream("http://127.0.0.1:1/")
	d := DefaultLimits()
	for _, tc := range []struct {
		name    string
		in      Limits
		want    Limits
		wantErr bool
	}{
		{"zero", Limits{}, func() Limits { l := d; l.Write = 70 * time.Second; return l }(), false},
		{"read set", Limits{Limits: serverlimits.Limits{Read: time.Second}},
			func() Limits { l := d; l.Read, l.Write = time.Second, 41*time.Second; return l }(), false},
		{"negative buffer", Limits{MaxBuffered: -1}, Limits{}, true},
		{"negative connections", Limits{Limits: serverlimits.Limits{MaxConns: -1}}, Limits{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Config{Upstream: up, Limits: tc.in})
			if (err != nil) != tc.wantErr {
				t.Fatalf("New: %v, want an error: %t", err, tc.wantErr)
			}
			if err == nil && p.limits != tc.want {
				t.Errorf("limits %+v, want %+v", p.limits, tc.want)
			}
		})
	}
}

// newTestHAR is an archive writer on a file of the test's own, and its path.
func newTestHAR(t *testing.T) (*HARWriter, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.har")
	har, err := CreateHAR(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	return har, path
}

// createdUpstream answers every request with the contract's 201, its body
// read first.
func createdUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", testMedia)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"linkToken":"dGVzdA"}`)
	}))
	t.Cleanup(upstream.Close)
	return upstream
}
