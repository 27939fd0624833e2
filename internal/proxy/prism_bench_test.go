//go:build unix

package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAddedLatency is one create (a bearer credential, so that
// Prism can carry it: its proxy cannot carry a digest handshake) sent
// directly to an upstream that answers the contract's 201, through this
// proxy, and, with LINKTOKEN_BENCH_PRISM=1, through Stoplight Prism's
// proxy (`npx --yes @stoplight/prism-cli@5 proxy`, which validates against
// the same contract), interleaved call by call, each first in turn, so
// drift on a shared machine hits all alike. It reports each proxy's
// latency over the direct call's, and the time it adds per call.
func BenchmarkAddedLatency(b *testing.B) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", testMedia)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"linkToken":"c2VjcmV0"}`)
	}))
	b.Cleanup(upstream.Close)
	up, err := ParseUpstream(upstream.URL)
	if err != nil {
		b.Fatal(err)
	}
	p, err := New(Config{Upstream: up})
	if err != nil {
		b.Fatal(err)
	}
	ours := httptest.NewServer(p)
	b.Cleanup(ours.Close)

	type contender struct {
		name, url string
	}
	contenders := []contender{
		{"direct", upstream.URL + testCreate},
		{"linktoken", ours.URL + testCreate},
	}
	if os.Getenv("LINKTOKEN_BENCH_PRISM") != "" {
		// Prism routes on the document's paths without the servers' base
		// path: the same operation, validated, is at /orgs/….
		contenders = append(contenders, contender{"prism", prismProxy(b, upstream.URL) + strings.TrimPrefix(testCreate, "/api/atlas/v2")})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.Cleanup(client.CloseIdleConnections)
	call := func(url string) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(testCreateJS))
		req.Header.Set("Content-Type", testMedia)
		req.Header.Set("Accept", testMedia)
		req.Header.Set("Authorization", "Bearer dGVzdA")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || !bytes.Contains(body, []byte("linkToken")) {
			b.Fatalf("%s: %d %s", url, resp.StatusCode, body)
		}
	}
	for _, c := range contenders { // connections warm, outside the loop
		call(c.url)
	}
	spent := make([]time.Duration, len(contenders))
	calls := 0
	for b.Loop() {
		t0 := time.Now()
		for j := range contenders {
			i := (calls + j) % len(contenders)
			call(contenders[i].url)
			t1 := time.Now()
			spent[i] += t1.Sub(t0)
			t0 = t1
		}
		calls++
	}
	if st := p.Stats(); st.Broke != 0 {
		b.Fatalf("%d exchanges through the proxy broke the contract", st.Broke)
	}
	direct := spent[0]
	b.ReportMetric(float64(direct)/float64(calls), "direct-ns/op")
	for i, c := range contenders[1:] {
		b.ReportMetric(float64(spent[i+1])/float64(direct), c.name+"/direct")
		b.ReportMetric(float64(spent[i+1]-direct)/float64(calls), c.name+"-added-ns/op")
	}
}

// prismProxy starts Prism's proxy in front of upstream on a free loopback
// port and returns its root URL; it is stopped (its process group) when
// the benchmark ends.
func prismProxy(b *testing.B, upstream string) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	spec, _ := filepath.Abs("../../openapi/linktoken.yaml")
	cmd := exec.Command("npx", "--yes", "@stoplight/prism-cli@5", "proxy", spec, upstream,
		"--host", "127.0.0.1", "--port", port, "--errors=false", "--verboseLevel", "error")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Skipf("npx: %v", err)
	}
	b.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM); _ = cmd.Wait() })
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return "http://127.0.0.1:" + port
		}
	}
	b.Fatalf("Prism did not listen in 2 minutes:\n%s", out.String())
	return ""
}
