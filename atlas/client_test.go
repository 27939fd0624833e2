package atlas_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestCreateAndDeleteSpeakEachVersionsMediaType(t *testing.T) {
	tests := []struct {
		version atlas.APIVersion
		path    string
		media   string
	}{
		{atlas.APIVersionV2, mount + "api/atlas/v2/orgs/" + testOrg + "/liveMigrations/linkTokens", "application/vnd.atlas.2023-01-01+json"},
		{atlas.APIVersionV1, mount + "api/atlas/v1.0/orgs/" + testOrg + "/liveMigrations/linkTokens", "application/json"},
	}
	for _, tt := range tests {
		t.Run(string(tt.version), func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newTestClient(t, srv, atlas.WithAPIVersion(tt.version), atlas.WithUserAgent("ua-test/1"))
			tok, err := c.CreateLinkToken(context.Background(), testOrg, "192.0.2.10", "10.0.0.0/24")
			if err != nil {
				t.Fatal(err)
			}
			if content, err := atlastest.DecodeLinkToken(tok.Reveal()); err != nil || content.OrgID != testOrg {
				t.Errorf("the token is not the server's for %s: %+v %v", testOrg, content, err)
			}
			if err := c.DeleteLinkToken(context.Background(), testOrg); err != nil {
				t.Fatal(err)
			}
			for _, r := range c.wire.exchanges() {
				if r.Path != tt.path || r.Accept != tt.media || r.UserAgent != "ua-test/1" {
					t.Errorf("%s %s: Accept %q UA %q", r.Method, r.Path, r.Accept, r.UserAgent)
				}
				if r.Method == http.MethodPost && (r.ContentType != tt.media || r.Body != `{"accessListIps":["192.0.2.10","10.0.0.0/24"]}`) {
					t.Errorf("POST Content-Type %q body %s", r.ContentType, r.Body)
				}
			}
			if want := "/api/atlas/" + string(tt.version); !strings.HasSuffix(c.BaseURL(), want) {
				t.Errorf("BaseURL %q, want suffix %q", c.BaseURL(), want)
			}
		})
	}
}

func TestCreateWithoutAddressesSendsAnEmptyArray(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.wire.exchanges() {
		if r.Method == http.MethodPost && r.Body != `{"accessListIps":[]}` {
			t.Errorf("body %s, want an empty array, never null", r.Body)
		}
	}
}

func TestDigestCostsOneExchangePerCallAfterTheFirst(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	const calls = 10
	for range calls {
		if _, err := c.CreateLinkToken(context.Background(), testOrg, "192.0.2.10"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := len(c.wire.exchanges()), calls+1; got != want {
		t.Errorf("%d calls cost %d exchanges, want %d (one challenge, then one each)", calls, got, want)
	}
	if st := srv.Stats(); st.Exchanges != calls+1 || st.Challenges != 1 {
		t.Errorf("the server counted %d exchanges and %d challenges", st.Exchanges, st.Challenges)
	}
}

func TestStaleNonceRecoversTransparently(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	ctx := context.Background()
	if _, err := c.CreateLinkToken(ctx, testOrg); err != nil {
		t.Fatal(err)
	}
	srv.ExpireNonces()
	if err := c.DeleteLinkToken(ctx, testOrg); err != nil {
		t.Fatalf("after a stale nonce: %v", err)
	}
	reqs := c.wire.exchanges()
	if len(reqs) != 4 {
		t.Fatalf("got %d exchanges, want 4 (challenge, create, stale 401, delete)", len(reqs))
	}
	if reqs[2].Status != 401 || reqs[3].Status != 204 || srv.Stats().StaleChallenges != 1 {
		t.Errorf("exchanges: %+v", reqs)
	}
}

func TestWrongCredentialsAreUnauthorizedAndNotRetried(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv, atlas.WithDigest(srv.PublicKey(), "wrong-private-key"))
	err := c.DeleteLinkToken(context.Background(), testOrg)
	var ae *atlas.APIError
	if !errors.As(err, &ae) || !errors.Is(err, atlas.ErrUnauthorized) || ae.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 *APIError", err)
	}
	if n := len(c.wire.exchanges()); n != 2 || len(c.sleeps.got()) != 0 {
		t.Errorf("%d exchanges and %d retries, want 2 (challenge + one try) and none", n, len(c.sleeps.got()))
	}
}

func TestOwnHTTPClientCarriesTheAuthAndIsNotModified(t *testing.T) {
	srv := testatlas.NewServer(t)
	var used atomic.Int32
	base := countingTransport{next: http.DefaultTransport, n: &used}
	mine := &http.Client{Transport: base}
	defaultBefore := http.DefaultClient.Transport
	c := newTestClient(t, srv, atlas.WithHTTPClient(mine))
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatal(err)
	}
	if used.Load() != 2 {
		t.Errorf("the caller's transport carried %d exchanges, want 2", used.Load())
	}
	if _, ok := mine.Transport.(countingTransport); !ok {
		t.Errorf("the caller's client was modified: %T", mine.Transport)
	}
	if http.DefaultClient.Transport != defaultBefore {
		t.Error("http.DefaultClient was modified")
	}
}

func TestWireTransportSeesTheDigestChallenge(t *testing.T) {
	srv := testatlas.NewServer(t)
	var statuses []int
	wire := atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil {
				statuses = append(statuses, resp.StatusCode)
			}
			return resp, err
		})
	})
	c := newTestClient(t, srv, wire)
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[0] != 401 || statuses[1] != 201 {
		t.Errorf("wire saw %v, want [401 201]", statuses)
	}
}

func TestServiceAccountUsesBearerTokensOnV2Only(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id_1", "mdb_sa_sk_secret"))
	var wire wireLog
	c, err := atlas.NewClient(atlas.WithBaseURL(root(srv)), atlas.WithServiceAccount("mdb_sa_id_1", "mdb_sa_sk_secret"),
		atlas.WithWireTransport(wire.wrap))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
			t.Fatal(err)
		}
	}
	// One token exchange (under the mount path), then one call each.
	reqs := wire.exchanges()
	if n := srv.Stats().Count(atlastest.OpOAuthToken, 200); n != 1 || len(reqs) != 2 ||
		!strings.HasPrefix(reqs[0].Auth, "Bearer ") || reqs[0].Status != 201 || reqs[1].Status != 201 {
		t.Errorf("%d token exchanges; calls: %+v", n, reqs)
	}
	_, err = atlas.NewClient(atlas.WithBaseURL(root(srv)), atlas.WithAPIVersion(atlas.APIVersionV1),
		atlas.WithServiceAccount("mdb_sa_id_1", "mdb_sa_sk_secret"))
	if err == nil || !strings.Contains(err.Error(), "v2 only") {
		t.Errorf("service account on v1.0: err = %v", err)
	}
}

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		opts []atlas.Option
		want string
	}{
		{"no credentials", nil, "no credentials"},
		{"half a key", []atlas.Option{atlas.WithDigest("pub", "")}, "both"},
		{"API path in root", []atlas.Option{atlas.WithDigest("a", "b"), atlas.WithBaseURL("https://cloud.mongodb.com/api/atlas/v2")}, "service root"},
		{"no scheme", []atlas.Option{atlas.WithDigest("a", "b"), atlas.WithBaseURL("cloud.mongodb.com")}, "http(s)"},
		{"bad version", []atlas.Option{atlas.WithDigest("a", "b"), atlas.WithAPIVersion("v3")}, "v3"},
		{"nil client", []atlas.Option{atlas.WithDigest("a", "b"), atlas.WithHTTPClient(nil)}, "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := atlas.NewClient(tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	_, err := atlas.NewClient()
	if !errors.Is(err, atlas.ErrNoCredentials) {
		t.Errorf("err = %v, want ErrNoCredentials", err)
	}
}

// TestBaseURLErrorsQuoteNoSecret: a service root refused for its user
// info, query or fragment (or for not parsing) may carry a password or a
// token there; the error names the problem without quoting it.
func TestBaseURLErrorsQuoteNoSecret(t *testing.T) {
	const secret = "S3CRET-in-the-root"
	for _, root := range []string{
		"https://user:" + secret + "@cloud.mongodb.com/",
		"https://cloud.mongodb.com/?access_token=" + secret,
		"https://cloud.mongodb.com/#" + secret,
		"https://user:" + secret + "%zz@cloud.mongodb.com/",
		"https://user:" + secret + "@cloud.mongodb.com/api/atlas/v2",
		"ftp://user:" + secret + "@cloud.mongodb.com/",
		"https://cloud.mongodb.com/api/atlas/v2?token=" + secret,
	} {
		_, err := atlas.NewClient(atlas.WithDigest("a", "b"), atlas.WithBaseURL(root))
		if err == nil {
			t.Errorf("%s: accepted", root)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

func TestEnvironmentConfiguresTheClientAndOptionsWin(t *testing.T) {
	srv := testatlas.NewServer(t)
	env := map[string]string{
		atlas.EnvPublicAPIKey:  srv.PublicKey(),
		atlas.EnvPrivateAPIKey: srv.PrivateKey(),
		atlas.EnvBaseURL:       "https://example.invalid/",
	}
	getenv := func(k string) string { return env[k] }
	c, err := atlas.NewClient(atlas.WithEnv(getenv), atlas.WithBaseURL(root(srv)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatalf("env credentials did not work: %v", err)
	}
	c2, err := atlas.NewClient(atlas.WithEnv(getenv))
	if err != nil || !strings.HasPrefix(c2.BaseURL(), "https://example.invalid/api/atlas/v2") {
		t.Errorf("base URL from env: %v %v", c2, err)
	}
	delete(env, atlas.EnvPrivateAPIKey)
	if _, err := atlas.NewClient(atlas.WithEnv(getenv)); err == nil || !strings.Contains(err.Error(), atlas.EnvPrivateAPIKey) {
		t.Errorf("half a key pair: err = %v", err)
	}
	env = map[string]string{atlas.EnvClientID: "id", atlas.EnvClientSecret: "secret"}
	if _, err := atlas.NewClient(atlas.WithEnv(getenv)); err != nil {
		t.Errorf("service account from env: %v", err)
	}
}

// TestNewClientFromEnvReadsTheProcessEnvironment: NewClientFromEnv is
// NewClient with the Atlas CLI's variables of this process applied first,
// so its options win over them.
func TestNewClientFromEnvReadsTheProcessEnvironment(t *testing.T) {
	srv := testatlas.NewServer(t)
	for _, name := range []string{atlas.EnvClientID, atlas.EnvClientSecret, atlas.EnvService} {
		t.Setenv(name, "")
	}
	t.Setenv(atlas.EnvPublicAPIKey, srv.PublicKey())
	t.Setenv(atlas.EnvPrivateAPIKey, srv.PrivateKey())
	t.Setenv(atlas.EnvBaseURL, root(srv))
	c, err := atlas.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatalf("the environment's key and service root did not work: %v", err)
	}
	c2, err := atlas.NewClientFromEnv(atlas.WithBaseURL("https://example.invalid/"))
	if err != nil || !strings.HasPrefix(c2.BaseURL(), "https://example.invalid/api/atlas/v2") {
		t.Errorf("an option does not win over the environment: %v %v", c2, err)
	}
	t.Setenv(atlas.EnvPrivateAPIKey, "")
	if _, err := atlas.NewClientFromEnv(); err == nil || !strings.Contains(err.Error(), atlas.EnvPrivateAPIKey) {
		t.Errorf("half a key pair in the environment: err = %v", err)
	}
}

func TestParseAPIVersion(t *testing.T) {
	for in, want := range map[string]atlas.APIVersion{"v2": "v2", "2": "v2", "v1.0": "v1.0", "v1": "v1.0", "1.0": "v1.0"} {
		if got, err := atlas.ParseAPIVersion(in); err != nil || got != want {
			t.Errorf("ParseAPIVersion(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := atlas.ParseAPIVersion("v3"); err == nil {
		t.Error("v3 accepted")
	}
}

// TestGeneratedCallsWorkOnEveryVersion: the obvious generated calls, as
// Generated's documentation names them, against atlastest on both
// versions: CreateLinkTokenWithResponse sends application/json, which v1.0
// takes and v2 takes too (MongoDB's reference page and curl samples);
// the versioned-body create is for v2 only.
func TestGeneratedCallsWorkOnEveryVersion(t *testing.T) {
	for _, version := range []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1} {
		t.Run(string(version), func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newTestClient(t, srv, atlas.WithAPIVersion(version))
			ctx := context.Background()
			created, err := c.Generated().CreateLinkTokenWithResponse(ctx, testOrg, nil, client.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}})
			if err != nil {
				t.Fatal(err)
			}
			if created.StatusCode() != 201 || created.JSON201 == nil || created.JSON201.LinkToken == "" {
				t.Fatalf("create: %d %.100s", created.StatusCode(), created.Body)
			}
			if tok, _ := srv.LinkToken(testOrg); tok != created.JSON201.LinkToken {
				t.Error("the server holds another token")
			}
			removed, err := c.Generated().DeleteLinkTokenWithResponse(ctx, testOrg, nil)
			if err != nil || removed.StatusCode() != 204 {
				t.Fatalf("remove: %v %v", err, removed.StatusCode())
			}
			again, err := c.Generated().DeleteLinkTokenWithResponse(ctx, testOrg, nil)
			if err != nil || again.StatusCode() != 404 || again.JSON404 == nil {
				t.Errorf("remove again: %v %d %s", err, again.StatusCode(), again.Body)
			}
			for _, x := range c.wire.exchanges() {
				if x.Method == http.MethodPost && x.ContentType != "application/json" {
					t.Errorf("CreateLinkTokenWithResponse sent Content-Type %q", x.ContentType)
				}
			}
			if version == atlas.APIVersionV2 {
				v2, err := c.Generated().CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, testOrg, nil,
					client.TargetOrgRequest{AccessListIps: []string{}})
				if err != nil || v2.StatusCode() != 201 || v2.JSON201 == nil {
					t.Errorf("the versioned-body create on v2: %v %v", err, v2.StatusCode())
				}
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int32
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// closeCounter is a caller's transport that counts CloseIdleConnections.
type closeCounter struct {
	http.RoundTripper
	n *atomic.Int32
}

func (c closeCounter) CloseIdleConnections() { c.n.Add(1) }

func TestCloseIdleConnectionsReachesTheCallersTransport(t *testing.T) {
	var n atomic.Int32
	c, err := atlas.NewClient(atlas.WithDigest("a", "b"),
		atlas.WithHTTPClient(&http.Client{Transport: closeCounter{RoundTripper: http.DefaultTransport, n: &n}}),
		// A wire wrapper that does not forward CloseIdleConnections.
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return roundTripFunc(next.RoundTrip) }))
	if err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	if n.Load() != 1 {
		t.Errorf("CloseIdleConnections reached the caller's transport %d times, want 1", n.Load())
	}
}
