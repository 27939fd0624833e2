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
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
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
	faults := []atlastest.Fault{
		{Status: 400, ErrorCode: "VALIDATION_ERROR"}, {Status: 403, ErrorCode: "USER_UNAUTHORIZED"}, {Status: 404, ErrorCode: "RESOURCE_NOT_FOUND"},
		{Status: 409, ErrorCode: "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"}, {Status: 429, RetryAfter: time.Second},
		{Status: 500}, {Status: 503, RetryAfter: time.Second}, {CloseConnection: true}, {Latency: time.Minute},
		{Status: 502, ContentType: "text/html", Body: "<p>gateway</p>"}, {Status: 201, ContentType: "application/json", Body: "{broken"},
		{TruncateBody: true},
	}
	const clientID, clientSecret = "mdb_sa_id_1", "mdb_sa_sk_secret"
	var (
		servers []*atlastest.Server
		wires   []*wireLog
	)
	for _, envelope := range []bool{false, true} {
		for _, sa := range []bool{false, true} {
			srv := testatlas.NewServer(t, atlastest.WithServiceAccount(clientID, clientSecret))
			wire := &wireLog{}
			servers, wires = append(servers, srv), append(wires, wire)
			s := &sleeper{}
			p := fastPolicy(s)
			p.MaxAttempts = 2
			opts := []atlas.Option{atlas.WithBaseURL(root(srv)), atlas.WithRetryPolicy(p), atlas.WithLogger(logger),
				atlas.WithEnvelope(envelope), atlas.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
				atlas.WithWireTransport(wire.wrap)}
			if sa {
				opts = append(opts, atlas.WithServiceAccount(clientID, clientSecret))
			} else {
				opts = append(opts, atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()))
			}
			c, err := atlas.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, flt := range faults {
				tok, err := c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
				texts = append(texts, fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, errText(err)))
				srv.InjectFault(1, flt)
				tok, err = c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
				texts = append(texts, fmt.Sprintf("%v %s", tok, errText(err)))
				srv.InjectFault(1, flt)
				texts = append(texts, errText(c.DeleteLinkToken(ctx, testOrg)))
			}
			srv.ExpireNonces()
			texts = append(texts, errText(c.DeleteLinkToken(ctx, testOrg)))
			wrong, _ := atlas.NewClient(atlas.WithBaseURL(root(srv)), atlas.WithDigest(srv.PublicKey(), "not-the-private-key"),
				atlas.WithLogger(logger), atlas.WithWireTransport(wire.wrap))
			_, err = wrong.CreateLinkToken(ctx, testOrg)
			texts = append(texts, errText(err))
			c.CloseIdleConnections()
		}
	}
	secrets := map[string]bool{clientSecret: true, "not-the-private-key": true}
	responseRE := regexp.MustCompile(`response="([^"]+)"`)
	tokenRE := regexp.MustCompile(`"linkToken":\s*"([^"]+)"`)
	for i, wire := range wires {
		secrets[servers[i].PrivateKey()] = true
		for _, r := range wire.exchanges() {
			if digest.IsDigest(r.Auth) {
				if m := responseRE.FindStringSubmatch(r.Auth); m != nil {
					secrets[m[1]] = true
				}
			}
			if tok, ok := strings.CutPrefix(r.Auth, "Bearer "); ok {
				secrets[tok] = true
			}
			for _, m := range tokenRE.FindAllStringSubmatch(r.RespBody, -1) {
				if len(m[1]) > 20 { // a real token, not a fault's
					secrets[m[1]] = true
				}
			}
		}
	}
	if len(secrets) < 40 {
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
