package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

func TestServeStartsOnAFreePortAndStopsOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	r := runCLI(t, cliOpts{signals: ctx}, "serve", "--addr", "127.0.0.1:0")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`Serving the in-memory Atlas on http://127\.0\.0\.1:[1-9][0-9]*\n`).MatchString(r.stdout) {
		t.Errorf("no bound address in:\n%s", r.stdout)
	}
	for _, want := range []string{"Generated API key", "public key:", "private key:", "export MONGODB_ATLAS_PUBLIC_API_KEY=", "MONGODB_ATLAS_OPS_MANAGER_URL=http://127.0.0.1:", "Stopped."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"public key without private", nil, []string{"--public-key", "abc"}, "both the public and the private key"},
		{"private key from the environment alone", map[string]string{"MONGODB_ATLAS_PRIVATE_API_KEY": "s"}, nil, "both the public and the private key"},
		{"malformed organization", nil, []string{"--org", "ABC"}, "24 lower-case hex"},
		{"unknown algorithm", nil, []string{"--digest-algorithm", "SHA-1"}, "want MD5 or SHA-256"},
		{"address in use or invalid", nil, []string{"--addr", "127.0.0.1:99999"}, "listen on"},
		{"stray argument", nil, []string{"extra"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // should a case start serving, it stops at once and fails below
			r := runCLI(t, cliOpts{env: tc.env, signals: ctx}, append([]string{"serve"}, tc.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", r.code, r.stderr, exitUsage, tc.want)
			}
		})
	}
}

// serveBuffer is an output a test can read while the command still runs.
type serveBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveRunning starts `linktoken serve` with args and env and returns the
// service root it printed, its outputs, and a stop function that returns
// the exit code.
func serveRunning(t *testing.T, envVars map[string]string, args ...string) (root string, stdout, stderr *serveBuffer, stop func() int) {
	t.Helper()
	if !slices.Contains(args, "--addr") {
		// serve's default, 127.0.0.1:8080, may be taken by anything else on
		// the machine (another test run's serve): a free port, always.
		args = append([]string{"--addr", "127.0.0.1:0"}, args...)
	}
	return commandRunning(t, envVars, regexp.MustCompile(`on (http://127\.0\.0\.1:[0-9]+)\n`), append([]string{"serve"}, args...)...)
}

// commandRunning starts a long-running command (serve, proxy) with args
// and env, and waits until it prints the address that ready matches (its
// first group). It returns that address, the outputs, and a stop function
// that interrupts the command and returns its exit code.
func commandRunning(t *testing.T, envVars map[string]string, ready *regexp.Regexp, args ...string) (addr string, stdout, stderr *serveBuffer, stop func() int) {
	t.Helper()
	stdout, stderr = &serveBuffer{}, &serveBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{
		stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv:          func(k string) string { return envVars[k] },
		stdinIsTerminal: func() bool { return false },
		signals:         ctx,
	}
	code := make(chan int, 1)
	go func() { code <- run(args, e) }()
	stop = func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not stop", args[0])
			return -1
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := ready.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr, stop
		}
		select {
		case c := <-code:
			t.Fatalf("%s exited (%d) before it was ready: %s %s", args[0], c, stdout, stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	stop()
	t.Fatalf("%s printed no address: %s %s", args[0], stdout, stderr)
	return
}

func TestServeAnswersTheGeneratedClientAndLogsNoSecret(t *testing.T) {
	const public, private = "servepub", "serve-private-5f1c9a"
	root, stdout, stderr, stop := serveRunning(t, map[string]string{
		"MONGODB_ATLAS_PUBLIC_API_KEY":  public,
		"MONGODB_ATLAS_PRIVATE_API_KEY": private,
	}, "--addr", "127.0.0.1:0", "--org", "4888442a3354817a7320eb61")

	hc := &http.Client{Transport: &digest.Transport{Username: public, Password: private}}
	c, err := client.NewClientWithResponses(root+atlastest.BasePathV2, client.WithHTTPClient(hc),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(t.Context(), "4888442a3354817a7320eb61", nil,
		client.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %v", err, created)
	}
	other, err := c.DeleteLinkTokenWithResponse(t.Context(), "a0123456789abcdef012345a", nil)
	if err != nil || other.StatusCode() != http.StatusNotFound {
		t.Fatalf("remove in an organization --org left out: %v %v", err, other)
	}
	removed, err := c.DeleteLinkTokenWithResponse(t.Context(), "4888442a3354817a7320eb61", nil)
	if err != nil || removed.StatusCode() != http.StatusNoContent {
		t.Fatalf("remove: %v %v", err, removed)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}

	if !strings.Contains(stdout.String(), "Accepting API key "+public) || strings.Contains(stdout.String(), "Generated") {
		t.Errorf("stdout:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 4 { // the handshake's 401, then the three calls
		t.Errorf("%d log lines, want 4:\n%s", len(lines), stderr)
	}
	for i, want := range []string{" 401 createLinkToken", " 201 createLinkToken key=" + public, " 404 deleteLinkToken", " 204 deleteLinkToken"} {
		if i < len(lines) && !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %q", i, lines[i], want)
		}
	}
	all := stdout.String() + stderr.String()
	for _, secret := range []string{private, created.JSON201.LinkToken, "response="} {
		if strings.Contains(all, secret) {
			t.Errorf("output leaks a secret (%.12s…)", secret)
		}
	}
}

// TestSmallUsageErrors: input that once passed silently, or printed help
// and exit 0, is a usage error that says what is wanted; --version works.
func TestSmallUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"serve", "--rate-limit", "-1"}, "--rate-limit -1"},
		{[]string{"completion", "tcsh"}, "supported: bash, fish, powershell, zsh"},
	} {
		if r := runCLI(t, cliOpts{}, tc.args...); r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: %+v", tc.args, r)
		}
	}
	if r := runCLI(t, cliOpts{}, "completion", "bash"); r.code != exitOK || !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("completion bash: exit %d", r.code)
	}
	version := runCLI(t, cliOpts{}, "version")
	if r := runCLI(t, cliOpts{}, "--version"); r.code != exitOK || r.stdout != version.stdout || !strings.HasPrefix(r.stdout, "linktoken ") {
		t.Errorf("--version: %+v, version: %q", r, version.stdout)
	}
}
