package atlas_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestNoSecretInErrorsLogsOrDefaultOutput drives every status and fault the
// client knows, through digest and service-account clients, with and without
// the envelope, and checks that no private key, client secret, digest
// response, bearer token or link-token appears in any error text, log line or
// default (%v) rendering of a result.
func TestNoSecretInErrorsLogsOrDefaultOutput(t *testing.T) {
	var texts []string
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	faults := []fault{
		failWith(400, "VALIDATION_ERROR", ""), failWith(403, "USER_UNAUTHORIZED", ""), failWith(404, "RESOURCE_NOT_FOUND", ""),
		failWith(409, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK", ""), failWith(429, "RATE_LIMITED", "1"),
		failWith(500, "UNEXPECTED_ERROR", ""), failWith(503, "SERVICE_UNAVAILABLE", "1"), cut(), hang(),
		rawResponse(502, "text/html", "<p>gateway</p>"), rawResponse(201, "application/json", "{broken"),
	}
	var fakes []*fakeAtlas
	for _, envelope := range []bool{false, true} {
		for _, sa := range []bool{false, true} {
			f := newFakeAtlas(t)
			fakes = append(fakes, f)
			s := &sleeper{}
			p := fastPolicy(s)
			p.MaxAttempts = 2
			opts := []atlas.Option{atlas.WithBaseURL(f.root()), atlas.WithRetryPolicy(p), atlas.WithLogger(logger),
				atlas.WithEnvelope(envelope), atlas.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond})}
			if sa {
				opts = append(opts, atlas.WithServiceAccount("mdb_sa_id_1", "mdb_sa_sk_secret"))
			} else {
				opts = append(opts, atlas.WithDigest(f.public, f.private))
			}
			c, err := atlas.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, flt := range faults {
				tok, err := c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
				texts = append(texts, fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, errText(err)))
				f.push(flt)
				tok, err = c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
				texts = append(texts, fmt.Sprintf("%v %s", tok, errText(err)))
				f.push(flt)
				texts = append(texts, errText(c.DeleteLinkToken(ctx, testOrg)))
			}
			f.expireNonce()
			texts = append(texts, errText(c.DeleteLinkToken(ctx, testOrg)))
			wrong, _ := atlas.NewClient(atlas.WithBaseURL(f.root()), atlas.WithDigest(f.public, "not-the-private-key"), atlas.WithLogger(logger))
			_, err = wrong.CreateLinkToken(ctx, testOrg)
			texts = append(texts, errText(err))
			c.CloseIdleConnections()
		}
	}
	secrets := map[string]bool{"0123-private-key-secret-4567": true, "mdb_sa_sk_secret": true, "not-the-private-key": true}
	responseRE := regexp.MustCompile(`response="([^"]+)"`)
	for _, f := range fakes {
		for _, r := range f.requests() {
			if digest.IsDigest(r.Auth) {
				if m := responseRE.FindStringSubmatch(r.Auth); m != nil {
					secrets[m[1]] = true
				}
			}
			if tok, ok := strings.CutPrefix(r.Auth, "Bearer "); ok {
				secrets[tok] = true
			}
		}
		f.mu.Lock()
		for _, tok := range f.links {
			secrets[tok] = true
		}
		f.mu.Unlock()
		secrets[fmt.Sprintf("dG9rZW4tZm9yLW9yZy0%sLXNlY3JldC1wYXlsb2Fk", testOrg)] = true
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d secrets collected; the scenario did not run", len(secrets))
	}
	all := strings.Join(texts, "\n") + "\n" + logs.String()
	for s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("secret %.6s… appears in errors or logs", s)
		}
	}
	if !strings.Contains(logs.String(), "retrying") || !strings.Contains(all, "REDACTED") {
		t.Errorf("the scenario produced no retries or no redacted values:\n%s", all)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%v | %+v | %#v", err, err, err)
}
