package atlastest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

func TestInvalidOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  atlastest.Option
		want string
	}{
		{"key without private part", atlastest.WithAPIKey(atlastest.APIKey{Public: "p"}), "public and a private"},
		{"upper-case organization", atlastest.WithOrganizations("4888442A3354817A7320EB61"), "24 lower-case hex"},
		{"SHA-512", atlastest.WithDigestAlgorithm("SHA-512"), "want MD5 or SHA-256"},
		{"zero nonce TTL", atlastest.WithNonceTTL(0), "positive"},
		{"no nonces", atlastest.WithMaxNonces(0), "at least 1"},
		{"empty bucket", atlastest.WithRateLimit(0, time.Second), "capacity"},
		{"zero body cap", atlastest.WithMaxBodyBytes(0), "positive"},
		{"service account without secret", atlastest.WithServiceAccount("id", ""), "client id and secret"},
		{"zero token TTL", atlastest.WithTokenTTL(0), "positive"},
		{"window too wide", atlastest.WithNonceCountWindow(65), "0 to 64"},
		{"no resources", atlastest.WithMaxResources(0), "at least 1"},
		{"no clock", atlastest.WithClock(nil), "nil clock"},
		{"no contract", atlastest.WithContractValidator(nil), "nil contract"},
		{"a handler without an operation", atlastest.WithOperationHandler("", http.NotFoundHandler()), "operation id and a handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := atlastest.New(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	k := atlastest.GenerateAPIKey()
	if _, err := atlastest.New(atlastest.WithAPIKey(k), atlastest.WithAPIKey(k)); err == nil {
		t.Error("a duplicate public key was accepted")
	}
}

func TestLoggerWritesOneLinePerExchangeWithoutSecrets(t *testing.T) {
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	srv := atlastest.NewServer(t, atlastest.WithLogger(logger))
	c := newClient(t, srv, clientOpts{})
	created := create(t, c, atlastest.BasePathV2, orgA, &client.CreateLinkTokenParams{Envelope: ptr(true)})
	remove(t, c, orgA, nil)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i, want := range []string{"status=401", "status=201", "status=204"} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "op=") {
			t.Errorf("line %d %q lacks %s", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "principal="+srv.PublicKey()) || !strings.Contains(lines[1], "enveloped=true") {
		t.Errorf("line %q", lines[1])
	}
	token, ok := srv.LinkToken(orgA)
	if ok || created.StatusCode() != 200 {
		t.Fatalf("create %d, link left %v", created.StatusCode(), ok)
	}
	if e, err := created.JSON200.AsResponseEnvelope(); err == nil {
		token = (*e.Content)["linkToken"].(string)
	}
	if len(token) < 40 {
		t.Fatalf("no token to look for: %q", token)
	}
	for _, secret := range []string{srv.PrivateKey(), "response=", token[:40]} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %.10s…", secret)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestLatencyOnEveryResponse(t *testing.T) {
	srv := atlastest.NewServer(t, atlastest.WithLatency(40*time.Millisecond))
	c := newClient(t, srv, clientOpts{version: atlastest.BasePathV1})
	start := time.Now()
	remove(t, c, orgA, nil) // a 401 and a 404: two delayed responses
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Errorf("took %v, want ≥ 80ms", took)
	}
}

func TestServerHelpers(t *testing.T) {
	srv := atlastest.NewServer(t)
	if srv.URLV2() != srv.URL()+"/api/atlas/v2" || srv.URLV1() != srv.URL()+"/api/atlas/v1.0" || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("URLs %s %s %s", srv.URL(), srv.URLV2(), srv.URLV1())
	}
	c, err := client.NewClientWithResponses(srv.URLV1(), client.WithHTTPClient(srv.DigestClient()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.DeleteLinkTokenWithResponse(t.Context(), orgA, nil)
	if err != nil || r.StatusCode() != 404 {
		t.Fatalf("%v %v", err, r)
	}
	srv.Close()
	if _, err := c.DeleteLinkTokenWithResponse(t.Context(), orgA, nil); err == nil {
		t.Error("a closed server answered")
	}
}
