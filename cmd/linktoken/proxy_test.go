package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/internal/proxy"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

var proxyReady = regexp.MustCompile(`Proxying (http://127\.0\.0\.1:[0-9]+) to `)

// proxyRunning starts `linktoken proxy` in front of upstream on a free
// loopback port and returns its root URL, its outputs and a stop function
// that returns the exit code (called at cleanup if the test does not).
func proxyRunning(t *testing.T, upstream string, args ...string) (root string, stdout, stderr *serveBuffer, stop func() int) {
	t.Helper()
	root, stdout, stderr, stopOnce := commandRunning(t, nil, proxyReady,
		append([]string{"proxy", "--upstream", upstream, "--listen", "127.0.0.1:0"}, args...)...)
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() { code = stopOnce() })
		return code
	}
	t.Cleanup(func() { stop() })
	return root, stdout, stderr, stop
}

const (
	proxyOrg    = "4888442a3354817a7320eb61"
	linkTokens  = "/orgs/" + proxyOrg + "/liveMigrations/linkTokens"
	createJSON  = `{"accessListIps":["192.0.2.10"]}`
	v2MediaType = atlastest.MediaTypeV2
)

// curlResult is what curl saw: every response's status line and headers
// (the challenge, then the answer), the last body, and its verbose log,
// which holds the Authorization headers it sent.
type curlResult struct {
	responses []*http.Response
	body      string
	verbose   string
}

func (c curlResult) last() *http.Response { return c.responses[len(c.responses)-1] }

// runCurl runs curl with args and the URL, skipping the test when curl
// is not installed. Its output is never printed: it holds secrets.
func runCurl(t *testing.T, url string, args ...string) curlResult {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (looked on $PATH): the test of a real digest client through the proxy needs it")
	}
	dir := t.TempDir()
	headers, body := filepath.Join(dir, "headers"), filepath.Join(dir, "body")
	cmd := exec.Command(bin, append([]string{"-sS", "-v", "--noproxy", "*", "-D", headers, "-o", body}, append(args, url)...)...)
	var verbose bytes.Buffer
	cmd.Stderr = &verbose
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl: %v (output withheld: it holds credentials)", err)
	}
	raw, _ := os.ReadFile(headers)
	got, _ := os.ReadFile(body)
	r := curlResult{body: string(got), verbose: verbose.String()}
	rd := bufio.NewReader(bytes.NewReader(raw))
	for {
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			break
		}
		// -D holds headers only: the next block starts right away.
		resp.Body = http.NoBody
		r.responses = append(r.responses, resp)
	}
	if len(r.responses) == 0 {
		t.Fatal("curl dumped no response headers")
	}
	return r
}

// sentDigestResponses are the digest responses in curl's verbose log.
func sentDigestResponses(verbose string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`response="([0-9a-f]+)"`).FindAllStringSubmatch(verbose, -1) {
		out = append(out, m[1])
	}
	return out
}

// checkHAR runs `linktoken check` on an archive and returns its summary.
func checkHAR(t *testing.T, path string) cliResult {
	t.Helper()
	return runCLI(t, cliOpts{}, "check", path)
}

// assertNoSecret fails for each secret found in where; the message names
// the secret's kind, never its value.
func assertNoSecret(t *testing.T, where string, text []byte, secrets map[string]string) {
	t.Helper()
	for kind, s := range secrets {
		if s == "" {
			t.Errorf("no %s to look for: the test lost it", kind)
			continue
		}
		if bytes.Contains(text, []byte(s)) {
			t.Errorf("%s holds the %s", where, kind)
		}
	}
}

// TestProxyPassesCurlDigestHandshake: curl --digest completes its
// handshake through the proxy (the challenge, the retried request with
// its Authorization unchanged) on a path and query that only pass if the
// proxy forwards the URI byte for byte; every leg is checked and the
// recording checks clean of the handshake and holds no secret.
func TestProxyPassesCurlDigestHandshake(t *testing.T) {
	srv := testatlas.NewServer(t)
	har := filepath.Join(t.TempDir(), "traffic.har")
	root, _, stderr, stop := proxyRunning(t, srv.URL(), "--record", har)
	user := srv.PublicKey() + ":" + srv.PrivateKey()
	// The digest uri names path and query; the upstream compares it with
	// the request it got.
	created := runCurl(t, root+"/api/atlas/v2"+linkTokens+"?pretty=true", "--digest", "-u", user,
		"-H", "Accept: "+v2MediaType, "-H", "Content-Type: "+v2MediaType, "-d", createJSON)
	if len(created.responses) != 2 || created.responses[0].StatusCode != 401 || created.last().StatusCode != 201 {
		t.Fatalf("create through the proxy: statuses %v, want 401 then 201", statuses(created.responses))
	}
	token, ok := srv.LinkToken(proxyOrg)
	if !ok || !strings.Contains(created.body, token) {
		t.Fatal("curl did not get the link-token the upstream made")
	}
	if got := created.last().Header.Get(proxy.HeaderViolations); got != "0" {
		t.Errorf("the 201 leg: %s %q, want 0 (%q)", proxy.HeaderViolations, got, created.last().Header.Values(proxy.HeaderViolation))
	}
	// curl's first leg is a request without its body; answered by the
	// challenge, it is the first half of the handshake and conforms.
	if got := created.responses[0].Header.Get(proxy.HeaderViolations); got != "0" {
		t.Errorf("the challenge leg: %s %q (%q)", proxy.HeaderViolations, got, created.responses[0].Header.Values(proxy.HeaderViolation))
	}

	removed := runCurl(t, root+"/api/atlas/v1.0"+linkTokens, "--digest", "-u", user, "-X", "DELETE", "-H", "Accept: application/json")
	if removed.last().StatusCode != 204 || removed.last().Header.Get(proxy.HeaderViolations) != "0" {
		t.Fatalf("remove through the proxy: %v, %s %q", statuses(removed.responses), proxy.HeaderViolations, removed.last().Header.Get(proxy.HeaderViolations))
	}
	if code := stop(); code != exitOK && code != exitAPI {
		t.Fatalf("proxy exit %d", code)
	}

	log := stderr.String()
	for _, want := range []string{"POST /api/atlas/v2" + linkTokens + " 201 createLinkToken violations=0",
		"DELETE /api/atlas/v1.0" + linkTokens + " 204 deleteLinkToken violations=0"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"private key": srv.PrivateKey(), "link-token": token}
	for i, r := range sentDigestResponses(created.verbose + removed.verbose) {
		secrets[fmt.Sprintf("digest response %d", i)] = r
	}
	if len(secrets) != 4 {
		t.Errorf("curl sent %d digest responses, want 2", len(secrets)-2)
	}
	assertNoSecret(t, "the HAR", data, secrets)
	assertNoSecret(t, "the log", []byte(log), secrets)
	r := checkHAR(t, har)
	// Four exchanges: two challenges, the 201, the 204; all conform once
	// redacted.
	if r.code != exitOK || !strings.Contains(r.stdout, "4 exchanges, 4 conform") {
		t.Errorf("check of the recording: %+v", r)
	}
}

func statuses(rs []*http.Response) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.StatusCode)
	}
	return out
}

// TestProxyKeepsWhatTheDigestCovers: the upstream refuses a credential
// computed for another URI or method, so the proxy's passing the
// handshake above is evidence that it forwards both unchanged.
func TestProxyKeepsWhatTheDigestCovers(t *testing.T) {
	srv := testatlas.NewServer(t)
	root, _, _, _ := proxyRunning(t, srv.URL())
	path := "/api/atlas/v2" + linkTokens
	send := func(method, uri string, auth string) *http.Response {
		t.Helper()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(createJSON)
		}
		req, _ := http.NewRequest(method, root+uri, body)
		req.Header.Set("Accept", v2MediaType)
		req.Header.Set("Content-Type", v2MediaType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	sign := func(method, uri string) string {
		t.Helper()
		chal, err := digest.ParseChallenge(send(method, uri, "").Header.Get("WWW-Authenticate"))
		if err != nil {
			t.Fatal(err)
		}
		cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: srv.PublicKey(), Password: srv.PrivateKey(), Count: 1, Cnonce: "0a4f113b"})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	tests := []struct {
		name               string
		signMethod, signAt string
		method, at         string
		want               int // -401: anything but a 401
	}{
		{"as signed", http.MethodPost, path + "?pretty=true", http.MethodPost, path + "?pretty=true", 201},
		{"another query", http.MethodPost, path + "?pretty=true", http.MethodPost, path, 401},
		// httputil.ReverseProxy drops what url.ParseQuery cannot read; the
		// credential covers it.
		{"an unparsable query", http.MethodDelete, path + "?pretty=true;x=%zz", http.MethodDelete, path + "?pretty=true;x=%zz", -401},
		{"another method", http.MethodDelete, path, http.MethodPost, path, 401},
		// %34 is "4": signed with the escape, the credential is good only if
		// the upstream gets the escape too (it then refuses the orgId as
		// written, after authentication).
		{"an escape kept", http.MethodDelete, strings.Replace(path, "/4888", "/%34888", 1), http.MethodDelete, strings.Replace(path, "/4888", "/%34888", 1), -401},
		{"an escape undone", http.MethodDelete, strings.Replace(path, "/4888", "/%34888", 1), http.MethodDelete, path, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(tt.method, tt.at, sign(tt.signMethod, tt.signAt)).StatusCode
			if tt.want == -401 && got != 401 {
				return
			}
			if got != tt.want {
				t.Errorf("%s %s signed for %s %s: %d, want %d", tt.method, tt.at, tt.signMethod, tt.signAt, got, tt.want)
			}
		})
	}
}

// wireCapture keeps the Authorization headers a client sends.
type wireCapture struct {
	next http.RoundTripper
	mu   sync.Mutex
	auth []string
}

func (w *wireCapture) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	if a := r.Header.Get("Authorization"); a != "" {
		w.auth = append(w.auth, a)
	}
	w.mu.Unlock()
	return w.next.RoundTrip(r)
}

// TestProxyWithTheProjectsClient: the atlas client, digest and service
// account, both API versions and the envelope, through a recording proxy:
// every exchange conforms, the archive checks clean and holds no secret.
func TestProxyWithTheProjectsClient(t *testing.T) {
	const clientID, clientSecret = "mdb_sa_id_proxytest", "mdb_sa_sk_proxy-client-secret-0123456789"
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount(clientID, clientSecret))
	har := filepath.Join(t.TempDir(), "traffic.har")
	root, stdout, stderr, stop := proxyRunning(t, srv.URL(), "--record", har)
	capture := &wireCapture{}
	wire := atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
		capture.next = next
		return capture
	})
	var tokens []string
	for _, tc := range []struct {
		name string
		opts []atlas.Option
	}{
		{"digest v2", []atlas.Option{atlas.WithDigest(srv.PublicKey(), srv.PrivateKey())}},
		{"digest v1.0", []atlas.Option{atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()), atlas.WithAPIVersion(atlas.APIVersionV1)}},
		{"digest v2 enveloped", []atlas.Option{atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()), atlas.WithEnvelope(true)}},
		{"service account", []atlas.Option{atlas.WithServiceAccount(clientID, clientSecret)}},
	} {
		c, err := atlas.NewClient(append(tc.opts, atlas.WithBaseURL(root+"/"), wire)...)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.CreateLinkToken(t.Context(), proxyOrg, "192.0.2.10")
		if err != nil {
			t.Fatalf("%s: create through the proxy: %v", tc.name, err)
		}
		tokens = append(tokens, tok.Reveal())
		if err := c.DeleteLinkToken(t.Context(), proxyOrg); err != nil {
			t.Fatalf("%s: remove through the proxy: %v", tc.name, err)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("proxy exit %d; log:\n%s", code, stderr)
	}
	if strings.Contains(stderr.String(), "violation:") {
		t.Errorf("violations in conforming traffic:\n%s", stderr)
	}
	if !strings.Contains(stdout.String(), "0 broke it") || !strings.Contains(stdout.String(), "1 other request passed through") {
		t.Errorf("summary:\n%s", stdout)
	}
	secrets := map[string]string{"private key": srv.PrivateKey(), "client secret": clientSecret}
	for i, tok := range tokens {
		secrets[fmt.Sprintf("link-token %d", i)] = tok
	}
	for i, a := range capture.auth {
		switch {
		case strings.HasPrefix(a, "Bearer "):
			secrets[fmt.Sprintf("bearer token %d", i)] = strings.TrimPrefix(a, "Bearer ")
		case strings.HasPrefix(a, "Digest "):
			if m := regexp.MustCompile(`response="?([0-9a-f]+)`).FindStringSubmatch(a); m != nil {
				secrets[fmt.Sprintf("digest response %d", i)] = m[1]
			}
		}
	}
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "the HAR", data, secrets)
	assertNoSecret(t, "the log", []byte(stderr.String()+stdout.String()), secrets)
	r := checkHAR(t, har)
	if r.code != exitOK || !regexp.MustCompile(`(\d+) exchanges, (\d+) conform, 0 violations, 1 skipped`).MatchString(r.stdout) {
		t.Fatalf("check of the recording: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestProxyEnforceRefusesBeforeTheUpstream: with --enforce a request that
// breaks the contract gets the contract's refusal and never reaches the
// upstream; one without credentials still gets the upstream's challenge.
func TestProxyEnforceRefusesBeforeTheUpstream(t *testing.T) {
	var challenges, answered atomic.Int64
	srv := testatlas.NewServer(t, atlastest.WithExchangeLog(func(x atlastest.Exchange) {
		if x.Status == http.StatusUnauthorized {
			challenges.Add(1)
		} else {
			answered.Add(1)
		}
	}))
	root, _, stderr, stop := proxyRunning(t, srv.URL(), "--enforce", "--max-body-bytes", "256")
	v2 := root + "/api/atlas/v2" + linkTokens
	tests := []struct {
		name        string
		method, url string
		contentType string
		body        string
		want        int
		wantCode    string // X-Error-Code
		field       string // in badRequestDetail.fields
	}{
		{"an undeclared property", "POST", v2, v2MediaType, `{"accessListIps":["192.0.2.10"],"ttl":1}`, 400, "VALIDATION_ERROR", "/ttl"},
		{"not an address", "POST", v2, v2MediaType, `{"accessListIps":["nope"]}`, 400, "VALIDATION_ERROR", "/accessListIps/0"},
		{"a media type it does not take", "POST", v2, "text/plain", createJSON, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"an undeclared method", "PUT", v2, v2MediaType, createJSON, 405, "METHOD_NOT_ALLOWED", "method"},
		{"a body over the cap", "POST", v2, v2MediaType, `{"accessListIps":["` + strings.Repeat("1", 300) + `"]}`, 413, "VALIDATION_ERROR", "/"},
	}
	dc := srv.DigestClient()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := answered.Load()
			req, _ := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			req.Header.Set("Accept", v2MediaType)
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := dc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var apiErr struct {
				ErrorCode        string `json:"errorCode"`
				BadRequestDetail struct {
					Fields []struct{ Field string } `json:"fields"`
				} `json:"badRequestDetail"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&apiErr)
			if resp.StatusCode != tt.want || resp.Header.Get("X-Error-Code") != tt.wantCode || apiErr.ErrorCode != tt.wantCode {
				t.Fatalf("%d %q, want %d %s", resp.StatusCode, resp.Header.Get("X-Error-Code"), tt.want, tt.wantCode)
			}
			if n := resp.Header.Get(proxy.HeaderViolations); n == "" || n == "0" {
				t.Errorf("refusal without %s", proxy.HeaderViolations)
			}
			if tt.field != "" {
				found := false
				for _, f := range apiErr.BadRequestDetail.Fields {
					found = found || f.Field == tt.field
				}
				if !found {
					t.Errorf("fields %+v lack %q", apiErr.BadRequestDetail.Fields, tt.field)
				}
			}
			if got := answered.Load() - before; got != 0 {
				t.Errorf("the upstream answered %d refused requests", got)
			}
		})
	}
	// The digest client's first request, without credentials, reached the
	// upstream for its challenge, refused as its body was.
	if challenges.Load() != 1 {
		t.Errorf("the upstream sent %d challenges, want 1", challenges.Load())
	}

	// A conforming create still passes, with curl's empty-bodied probe
	// answered by the upstream's challenge, not refused.
	ok := runCurl(t, v2, "--digest", "-u", srv.PublicKey()+":"+srv.PrivateKey(),
		"-H", "Accept: "+v2MediaType, "-H", "Content-Type: "+v2MediaType, "-d", createJSON)
	if got := statuses(ok.responses); len(got) != 2 || got[0] != 401 || got[1] != 201 {
		t.Errorf("curl through the enforcing proxy: %v, want 401 then 201", got)
	}
	if code := stop(); code != exitAPI {
		t.Errorf("exit %d after refusals, want %d", code, exitAPI)
	}
	if !strings.Contains(stderr.String(), "refused (--enforce)") {
		t.Errorf("no refusal logged:\n%s", stderr)
	}
}

// TestProxyReportsResponseViolations: what an upstream does wrong is
// reported to the client in headers and logged, one line a violation;
// nothing is changed on its way.
func TestProxyReportsResponseViolations(t *testing.T) {
	const errBody = `{"detail":"You are not authorized for this resource.","error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`
	tests := []struct {
		name    string
		status  int
		ct      string
		body    string
		want    []string // X-Linktoken-Violation lines
		wantLog string
	}{
		{"a 401 without a challenge", 401, "application/json", errBody,
			[]string{"response header /Www-Authenticate: required-header"}, "violation: POST /api/atlas/v2" + linkTokens + " → 401: response header /Www-Authenticate: required"},
		{"linkToken as an array", 201, v2MediaType, `{"linkToken":["c2VjcmV0"]}`,
			[]string{"response body /linkToken: type"}, "violation: "},
		{"a conforming 201", 201, v2MediaType, `{"linkToken":"c2VjcmV0"}`, nil, ""},
		{"an undeclared property: a notice", 201, v2MediaType, `{"linkToken":"c2VjcmV0","expiresAt":"2026-12-01T00:00:00Z"}`,
			nil, "  notice: POST /api/atlas/v2" + linkTokens + " → 201: response body /expiresAt: additionalProperties"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(upstream.Close)
			root, _, stderr, stop := proxyRunning(t, upstream.URL)
			resp, got := postCreate(t, root, createJSON)
			if resp.StatusCode != tt.status || string(got) != tt.body {
				t.Errorf("the answer changed on its way: %d %q", resp.StatusCode, got)
			}
			if n := resp.Header.Get(proxy.HeaderViolations); n != fmt.Sprint(len(tt.want)) {
				t.Errorf("%s %q, want %d", proxy.HeaderViolations, n, len(tt.want))
			}
			if lines := resp.Header.Values(proxy.HeaderViolation); strings.Join(lines, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s %q, want %q", proxy.HeaderViolation, lines, tt.want)
			}
			// The same, for programs: one JSON array.
			var places []struct{ Side, Part, Pointer, Rule string }
			if err := json.Unmarshal([]byte(resp.Header.Get(proxy.HeaderViolationsJSON)), &places); err != nil || places == nil {
				t.Fatalf("%s %q: %v", proxy.HeaderViolationsJSON, resp.Header.Get(proxy.HeaderViolationsJSON), err)
			}
			var fromJSON []string
			for _, p := range places {
				fromJSON = append(fromJSON, strings.TrimSpace(p.Side+" "+p.Part+" "+p.Pointer)+": "+p.Rule)
			}
			if strings.Join(fromJSON, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s %q, want %q", proxy.HeaderViolationsJSON, fromJSON, tt.want)
			}
			want := exitOK
			if len(tt.want) > 0 {
				want = exitAPI
			}
			if code := stop(); code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
			log := stderr.String()
			wantNotice := strings.Contains(tt.wantLog, "notice:")
			if got := resp.Header.Get(proxy.HeaderNotices); (got == "1") != wantNotice {
				t.Errorf("%s %q", proxy.HeaderNotices, got)
			}
			if n := strings.Count(log, "  violation: "); n != len(tt.want) || !strings.Contains(log, tt.wantLog) {
				t.Errorf("%d violation lines, want %d, and %q in:\n%s", n, len(tt.want), tt.wantLog, log)
			}
			if strings.Contains(log, "c2VjcmV0") {
				t.Error("the log quotes the link-token")
			}
		})
	}
}

// createRequest is a v2 create with body and well-formed bearer
// credentials (which nobody checks) to the proxy at root.
func createRequest(root, body string) *http.Request {
	req, _ := http.NewRequest("POST", root+"/api/atlas/v2"+linkTokens, strings.NewReader(body))
	req.Header.Set("Accept", v2MediaType)
	req.Header.Set("Content-Type", v2MediaType)
	req.Header.Set("Authorization", "Bearer dGVzdA")
	return req
}

// postCreate sends createRequest, and returns the answer and its body.
func postCreate(t *testing.T, root, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(createRequest(root, body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// TestProxyUpstreamFailures: an upstream that does not answer, or whose
// answer breaks off, is reported as such; the client sees what it would
// have seen without the proxy (a 502 for no answer, a body cut short),
// and the recording keeps no more of a secret than of the rest.
func TestProxyUpstreamFailures(t *testing.T) {
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // whole, or the client may see its own write fail first
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 201 Created\r\nContent-Type: " + v2MediaType + "\r\nContent-Length: 200\r\n\r\n" +
			`{"linkToken":"c2VjcmV0LWN1dC1zaG9ydA`)
		_ = buf.Flush()
	}))
	t.Cleanup(cut.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more
	for _, tc := range []struct {
		name, upstream string
		status         int
		cutShort       bool // the client's read of the body fails
		wantLog        string
		wantSummary    string
		wantErr        string
		wantCode       int
	}{
		{"no answer", closed.URL, http.StatusBadGateway, false, " 0 createLinkToken the upstream did not answer: ",
			"Stopped: 0 exchanges of the contract checked, 0 broke it, 0 notices; 0 other requests passed through; 1 got no answer from the upstream.\nRecorded 1 exchange to ",
			"1 of the contract's exchanges could not be checked", exitNoAnswer},
		{"an answer cut short", cut.URL, http.StatusCreated, true, " 201 createLinkToken violations=2 notices=0 the upstream's body broke off: ",
			"Stopped: 1 exchange of the contract checked, 1 broke it, 0 notices; 0 other requests passed through; 1 got an answer whose body broke off.\nRecorded 1 exchange to ",
			"1 of 1 exchange broke the contract", exitAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			har := filepath.Join(t.TempDir(), "traffic.har")
			root, stdout, stderr, stop := proxyRunning(t, tc.upstream, "--record", har)
			resp, err := http.DefaultClient.Do(createRequest(root, createJSON))
			if err != nil {
				t.Fatal(err)
			}
			_, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || (rerr != nil) != tc.cutShort {
				t.Errorf("status %d, read error %v", resp.StatusCode, rerr)
			}
			// Neither conformed: one broke the contract, the other could
			// not be judged.
			if code := stop(); code != tc.wantCode {
				t.Errorf("exit %d, want %d", code, tc.wantCode)
			}
			if !strings.Contains(stdout.String(), tc.wantSummary) {
				t.Errorf("summary lacks %q:\n%s", tc.wantSummary, stdout)
			}
			if !strings.Contains(stderr.String(), tc.wantLog) {
				t.Errorf("log lacks %q:\n%s", tc.wantLog, stderr)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("the error lacks %q:\n%s", tc.wantErr, stderr)
			}
			data, _ := os.ReadFile(har)
			if !json.Valid(data) || bytes.Contains(data, []byte("c2VjcmV0LWN1dC1zaG9ydA")) || bytes.Count(data, []byte(`"startedDateTime"`)) != 1 {
				t.Errorf("archive:\n%s", data)
			}
		})
	}
}

// TestProxyCapsBodies: a body over --max-body-bytes is streamed on whole,
// unchecked, reported as the one violation it is, and not recorded.
func TestProxyCapsBodies(t *testing.T) {
	big := `{"linkToken":"` + strings.Repeat("A", 4000) + `"}`
	var gotRequest atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		gotRequest.Store(n)
		w.Header().Set("Content-Type", v2MediaType)
		w.WriteHeader(201)
		_, _ = io.WriteString(w, big)
	}))
	t.Cleanup(upstream.Close)
	har := filepath.Join(t.TempDir(), "traffic.har")
	root, _, stderr, stop := proxyRunning(t, upstream.URL, "--max-body-bytes", "1024", "--record", har)
	reqBody := `{"accessListIps":["` + strings.Repeat("1", 2000) + `"]}`
	resp, got := postCreate(t, root, reqBody)
	if string(got) != big || gotRequest.Load() != int64(len(reqBody)) {
		t.Errorf("bodies cut: the client got %d of %d bytes, the upstream %d of %d", len(got), len(big), gotRequest.Load(), len(reqBody))
	}
	if v := resp.Header.Values(proxy.HeaderViolation); strings.Join(v, "|") != "request body: body-size|response body: body-size" {
		t.Errorf("%s %q", proxy.HeaderViolation, v)
	}
	stop()
	data, _ := os.ReadFile(har)
	if bytes.Contains(data, []byte(strings.Repeat("A", 100))) || bytes.Contains(data, []byte(strings.Repeat("1", 100))) {
		t.Error("a body over the cap was recorded")
	}
	if !json.Valid(data) || !bytes.Contains(data, []byte("over 1024 bytes: not recorded")) {
		t.Errorf("archive: %s", data)
	}
	if !strings.Contains(stderr.String(), "at most 1024 bytes") {
		t.Errorf("log:\n%s", stderr)
	}
}

// TestProxyPassesOtherTrafficUntouched: what is not an operation of the
// contract streams through with no verdict header, and is recorded
// without its query or bodies.
func TestProxyPassesOtherTrafficUntouched(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo-Query", r.URL.RawQuery)
		w.Header().Set("X-Echo-Forwarded", r.Header.Get("X-Forwarded-For"))
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write(bytes.ToUpper(b))
	}))
	t.Cleanup(upstream.Close)
	har := filepath.Join(t.TempDir(), "traffic.har")
	root, _, _, stop := proxyRunning(t, upstream.URL, "--record", har)
	req, _ := http.NewRequest("POST", root+"/api/oauth/token?client_secret=hush-hush-value", strings.NewReader("grant_type=x&secret=hush-hush-body"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "192.0.2.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || string(got) != "GRANT_TYPE=X&SECRET=HUSH-HUSH-BODY" || resp.Header.Get("X-Echo-Query") != "client_secret=hush-hush-value" {
		t.Errorf("changed on its way: %d %q %q", resp.StatusCode, got, resp.Header.Get("X-Echo-Query"))
	}
	if got := resp.Header.Get("X-Echo-Forwarded"); got != "192.0.2.1" {
		t.Errorf("X-Forwarded-For reached the upstream as %q", got)
	}
	if resp.Header.Get(proxy.HeaderViolations) != "" {
		t.Error("a verdict on traffic outside the contract")
	}
	stop()
	data, _ := os.ReadFile(har)
	if bytes.Contains(bytes.ToLower(data), []byte("hush-hush")) {
		t.Error("the archive holds the query or body of traffic outside the contract")
	}
	if r := runCLI(t, cliOpts{}, "check", "--allow-empty", har); r.code != exitOK || !strings.Contains(r.stdout, "1 skipped") {
		t.Errorf("check: %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestProxyUsageErrors(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no upstream", nil, "--upstream is required"},
		{"a base path", []string{"--upstream", "http://127.0.0.1:1/api/atlas/v2"}, "without a path or query"},
		{"a query", []string{"--upstream", "http://127.0.0.1:1/?x=1"}, "without a path or query"},
		{"not http", []string{"--upstream", "ftp://127.0.0.1:1/"}, "http or https"},
		{"no host", []string{"--upstream", "http:///"}, "no host"},
		{"credentials in the URL", []string{"--upstream", "http://user:pass@127.0.0.1:1/"}, "credentials do not belong"},
		{"no cap", []string{"--upstream", "http://127.0.0.1:1/", "--max-body-bytes", "0"}, "positive"},
		{"a bad address", []string{"--upstream", "http://127.0.0.1:1/", "--listen", "127.0.0.1:99999"}, "listen on"},
		{"itself", []string{"--upstream", "http://127.0.0.1:" + port + "/", "--listen", "127.0.0.1:" + port}, "own address"},
		{"itself by name", []string{"--upstream", "http://localhost:" + port + "/", "--listen", "127.0.0.1:" + port}, "own address"},
		{"no connections", []string{"--upstream", "http://127.0.0.1:1/", "--max-conns", "0"}, "--max-conns"},
		{"a budget below the cap", []string{"--upstream", "http://127.0.0.1:1/", "--max-buffered-bytes", "1000"}, "--max-buffered-bytes"},
		{"no upstream timeout", []string{"--upstream", "http://127.0.0.1:1/", "--upstream-timeout", "0s"}, "positive duration"},
		{"an unwritable archive", []string{"--upstream", "http://127.0.0.1:1/", "--listen", "127.0.0.1:0", "--record", "/nonexistent/dir/x.har"}, "--record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // should a case start proxying, it stops at once and fails below
			r := runCLI(t, cliOpts{signals: ctx}, append([]string{"proxy"}, tc.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", r.code, r.stderr, exitUsage, tc.want)
			}
			if strings.Contains(r.stderr, "pass@") {
				t.Error("the error repeats the URL's credentials")
			}
		})
	}
}

// TestProxyInterruptedMidExchangeFlushesTheArchive: an interrupt lets an
// exchange in flight finish and be recorded before the archive closes.
func TestProxyInterruptedMidExchangeFlushesTheArchive(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(upstream.Close)
	har := filepath.Join(t.TempDir(), "traffic.har")
	root, _, _, stop := proxyRunning(t, upstream.URL, "--record", har)
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest("DELETE", root+"/api/atlas/v1.0"+linkTokens, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", digestCredentialForTest)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-arrived
	stopped := make(chan int)
	go func() { stopped <- stop() }()
	close(release)
	if got := <-done; got != http.StatusNoContent {
		t.Errorf("the exchange in flight: %d", got)
	}
	if code := <-stopped; code != exitOK {
		t.Errorf("exit %d", code)
	}
	var n int
	err := recorded.ReadHAR(mustOpen(t, har), har, func(ex *contract.Exchange) error {
		n++
		if ex.Response == nil || ex.Response.StatusCode != 204 {
			t.Errorf("recorded %+v", ex.Response)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Errorf("archive: %v, %d entries", err, n)
	}
}

// TestProxyInterruptedWithAStuckExchangeSaysSo: an exchange still in
// flight when the grace after the interrupt runs out is cut and counted,
// and the exit status is 4 (it could not be judged), not 2 (a usage error).
func TestProxyInterruptedWithAStuckExchangeSaysSo(t *testing.T) {
	grace := proxyShutdownGrace
	proxyShutdownGrace = 200 * time.Millisecond
	t.Cleanup(func() { proxyShutdownGrace = grace })
	arrived, release := make(chan struct{}), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(release) })
	root, stdout, stderr, stop := proxyRunning(t, upstream.URL)
	go func() {
		req, _ := http.NewRequest("DELETE", root+"/api/atlas/v1.0"+linkTokens, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", digestCredentialForTest)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-arrived
	if code := stop(); code != exitNoAnswer {
		t.Errorf("exit %d, want %d", code, exitNoAnswer)
	}
	if !strings.Contains(stderr.String(), "1 request still in flight when the proxy stopped") {
		t.Errorf("stderr does not count the request cut:\n%s\n%s", stderr, stdout)
	}
}

// digestCredentialForTest is a well-formed credential nobody checks.
const digestCredentialForTest = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`

func mustOpen(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestBuiltProxyStopsCleanlyOnSignals sends SIGINT and SIGTERM to the
// built binary, each while an exchange is in flight: the exchange
// finishes, the archive holds it and everything before it, and
// `linktoken check` reads it.
func TestBuiltProxyStopsCleanlyOnSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT/SIGTERM to send on Windows")
	}
	bin := builtBinary(t)
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := testatlas.NewServer(t)
			release, arrived := make(chan struct{}), make(chan struct{}, 1)
			// A slow stand-in in front of the real one: it holds the
			// remove until the signal has been sent.
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && r.Header.Get("Authorization") != "" {
					arrived <- struct{}{}
					<-release
				}
				proxyTo(t, srv.URL(), w, r)
			}))
			t.Cleanup(slow.Close)
			har := filepath.Join(t.TempDir(), "traffic.har")
			cmd := exec.Command(bin, "proxy", "--upstream", slow.URL, "--listen", "127.0.0.1:0", "--record", har)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			lines := bufio.NewScanner(out)
			var root string
			for root == "" && lines.Scan() {
				if m := proxyReady.FindStringSubmatch(lines.Text()); m != nil {
					root = m[1]
				}
			}
			if root == "" {
				t.Fatalf("the proxy printed no address; stderr:\n%s", stderr.String())
			}
			var rest bytes.Buffer
			restDone := make(chan struct{})
			go func() {
				for lines.Scan() {
					rest.WriteString(lines.Text() + "\n")
				}
				close(restDone)
			}()
			c, err := atlas.NewClient(atlas.WithBaseURL(root+"/"), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateLinkToken(t.Context(), proxyOrg, "192.0.2.10"); err != nil {
				t.Fatalf("create: %v", err)
			}
			removed := make(chan error, 1)
			go func() { removed <- c.DeleteLinkToken(context.Background(), proxyOrg) }()
			<-arrived
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			// Shutting down: the listener closes while the remove is held.
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				conn, err := net.Dial("tcp", strings.TrimPrefix(root, "http://"))
				if err != nil {
					break
				}
				conn.Close()
				if time.Now().After(deadline) {
					t.Fatal("the proxy still takes connections after the signal")
				}
			}
			close(release)
			if err := <-removed; err != nil {
				t.Errorf("the remove in flight when the signal came: %v", err)
			}
			werr := cmd.Wait()
			<-restDone
			if werr != nil {
				t.Fatalf("exit: %v; stderr:\n%s", werr, stderr.String())
			}
			if !strings.Contains(rest.String(), "Recorded 3 exchanges") {
				t.Errorf("stdout after the signal:\n%s", rest.String())
			}
			// The create's challenge, the create, the remove (its
			// challenge came from the client's cached nonce: none).
			r := checkHAR(t, har)
			if r.code != exitOK || !strings.Contains(r.stdout, "3 exchanges, 3 conform") {
				t.Errorf("check of the archive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// proxyTo forwards one request to upstream, for a test's stand-in.
func proxyTo(t *testing.T, upstream string, w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), r.Body)
	if err != nil {
		t.Error(err)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
