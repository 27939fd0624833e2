package atlas_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
)

// newAtlasClient is a digest client for srv with contract validation on the
// wire: any exchange that breaks the contract fails t.
func newAtlasClient(t *testing.T, srv *atlastest.Server, opts ...atlas.Option) (*atlas.Client, *sleeper) {
	t.Helper()
	s := &sleeper{}
	all := append([]atlas.Option{
		atlas.WithBaseURL(srv.URL()),
		atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithRetryPolicy(fastPolicy(s)),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return contract.TestTransport(t, next) }),
	}, opts...)
	c, err := atlas.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, s
}

func TestAtlastestLifecycleConformsOnEveryVersionAndEnvelope(t *testing.T) {
	for _, version := range []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1} {
		for _, envelope := range []bool{false, true} {
			t.Run(string(version)+map[bool]string{false: "", true: " envelope"}[envelope], func(t *testing.T) {
				srv := atlastest.NewServer(t)
				c, _ := newAtlasClient(t, srv, atlas.WithAPIVersion(version), atlas.WithEnvelope(envelope), atlas.WithPretty(envelope))
				ctx := context.Background()
				tok, err := c.CreateLinkToken(ctx, testOrg, "192.0.2.10", "2001:db8::/32")
				if err != nil {
					t.Fatal(err)
				}
				if got, ok := srv.LinkToken(testOrg); !ok || got != tok.Reveal() {
					t.Errorf("the server holds a different token")
				}
				if content, err := atlastest.DecodeLinkToken(tok.Reveal()); err != nil {
					t.Errorf("token does not decode: %v (%+v)", err, content)
				}
				if err := c.DeleteLinkToken(ctx, testOrg); err != nil {
					t.Fatal(err)
				}
				err = c.DeleteLinkToken(ctx, testOrg)
				if !errors.Is(err, atlas.ErrNotFound) || !atlas.IsErrorCode(err, atlastest.CodeUnexpected) {
					t.Fatalf("second remove: %v", err)
				}
				st := srv.Stats()
				if st.Challenges != 1 || st.Exchanges != 4 {
					t.Errorf("3 calls cost %d exchanges and %d challenges, want 4 and 1", st.Exchanges, st.Challenges)
				}
			})
		}
	}
}

func TestAtlastestStaleNonceRecovers(t *testing.T) {
	srv := atlastest.NewServer(t)
	c, _ := newAtlasClient(t, srv)
	ctx := context.Background()
	if _, err := c.CreateLinkToken(ctx, testOrg); err != nil {
		t.Fatal(err)
	}
	srv.ExpireNonces()
	if err := c.DeleteLinkToken(ctx, testOrg); err != nil {
		t.Fatalf("after expired nonces: %v", err)
	}
	if st := srv.Stats(); st.StaleChallenges != 1 {
		t.Errorf("stale challenges %d, want 1", st.StaleChallenges)
	}
}

func TestAtlastestCredentialsAndRoles(t *testing.T) {
	member := atlastest.APIKey{Public: "memberky", Private: "member-private-key", OrgOwner: false}
	owner := atlastest.GenerateAPIKey()
	srv := atlastest.NewServer(t, atlastest.WithAPIKey(owner), atlastest.WithAPIKey(member))
	wrong, _ := newAtlasClient(t, srv, atlas.WithDigest(owner.Public, "not-the-private-key"))
	_, err := wrong.CreateLinkToken(context.Background(), testOrg)
	if !errors.Is(err, atlas.ErrUnauthorized) {
		t.Errorf("wrong key: %v", err)
	}
	noRole, _ := newAtlasClient(t, srv, atlas.WithDigest(member.Public, member.Private))
	_, err = noRole.CreateLinkToken(context.Background(), testOrg)
	if !errors.Is(err, atlas.ErrForbidden) || !atlas.IsErrorCode(err, atlastest.CodeForbidden) {
		t.Errorf("key without the role: %v", err)
	}
}

func TestAtlastestActiveMigrationIsAConflict(t *testing.T) {
	srv := atlastest.NewServer(t)
	c, _ := newAtlasClient(t, srv)
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatal(err)
	}
	srv.SetMigrationActive(testOrg, true)
	err := c.DeleteLinkToken(context.Background(), testOrg)
	if !errors.Is(err, atlas.ErrConflict) || !atlas.IsErrorCode(err, atlastest.CodeActiveMigration) {
		t.Fatalf("err = %v", err)
	}
}

func TestAtlastestFaults(t *testing.T) {
	tests := []struct {
		name     string
		op       op
		fault    atlastest.Fault
		timeout  time.Duration
		wantErr  error // nil: success
		attempts int   // authenticated attempts
		waits    []time.Duration
	}{
		{name: "429 on create waits Retry-After", op: createOp, fault: atlastest.Fault{Status: 429, RetryAfter: 3 * time.Second},
			attempts: 2, waits: []time.Duration{3 * time.Second}},
		{name: "503 on delete waits Retry-After", op: deleteOp, fault: atlastest.Fault{Status: 503, RetryAfter: 2 * time.Second},
			attempts: 2, waits: []time.Duration{2 * time.Second}},
		{name: "503 on create is not repeated", op: createOp, fault: atlastest.Fault{Status: 503, RetryAfter: 2 * time.Second},
			wantErr: errAny, attempts: 1},
		{name: "500 after carrying out a create is not repeated", op: createOp, fault: atlastest.Fault{Status: 500, AfterHandler: true},
			wantErr: errAny, attempts: 1},
		{name: "500 on delete is repeated", op: deleteOp, fault: atlastest.Fault{Status: 500},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}},
		{name: "reset after carrying out a create is not repeated", op: createOp, fault: atlastest.Fault{CloseConnection: true},
			wantErr: errAny, attempts: 1},
		{name: "reset after carrying out a delete: the retry's 404 means gone", op: deleteOp, fault: atlastest.Fault{CloseConnection: true},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}},
		{name: "truncated create body is not repeated", op: createOp, fault: atlastest.Fault{TruncateBody: true},
			wantErr: errAny, attempts: 1},
		{name: "timeout on create is not repeated", op: createOp, fault: atlastest.Fault{Latency: 5 * time.Second}, timeout: time.Second,
			wantErr: errAny, attempts: 1},
		{name: "timeout on delete is repeated", op: deleteOp, fault: atlastest.Fault{Latency: 5 * time.Second}, timeout: time.Second,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := atlastest.NewServer(t)
			var opts []atlas.Option
			if tt.timeout > 0 {
				opts = append(opts, atlas.WithHTTPClient(&http.Client{Timeout: tt.timeout}))
			}
			c, s := newAtlasClient(t, srv, opts...)
			ctx := context.Background()
			if _, err := c.CreateLinkToken(ctx, testOrg); err != nil { // also primes digest
				t.Fatal(err)
			}
			srv.ResetStats()
			srv.InjectFault(1, tt.fault)
			err := tt.op.run(c)
			if (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr != nil)
			}
			opID := atlastest.OpCreateLinkToken
			if tt.op.name == "delete" {
				opID = atlastest.OpDeleteLinkToken
			}
			// A request the client gave up on is counted when the server
			// notices; give it a moment.
			var st atlastest.Stats
			got := 0
			for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				st, got = srv.Stats(), 0
				for status, n := range st.Requests[opID] {
					if status != 401 {
						got += n
					}
				}
				if got >= tt.attempts || time.Now().After(deadline) {
					break
				}
			}
			if got != tt.attempts {
				t.Errorf("%d attempts, want %d (stats %+v)", got, tt.attempts, st.Requests)
			}
			if !equalDurations(s.got(), tt.waits) {
				t.Errorf("waits %v, want %v", s.got(), tt.waits)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestAtlastestServiceAccount(t *testing.T) {
	srv := atlastest.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id_x", "mdb_sa_sk_x"))
	c, _ := newAtlasClient(t, srv, atlas.WithServiceAccount("mdb_sa_id_x", "mdb_sa_sk_x"))
	if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
		t.Fatal(err)
	}
	// The service drops every token: the client fetches a fresh one and
	// sends the call again, without the caller noticing.
	srv.ExpireNonces()
	if err := c.DeleteLinkToken(context.Background(), testOrg); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
	st := srv.Stats()
	if n := st.Count(atlastest.OpOAuthToken, 200); n != 2 {
		t.Errorf("%d token requests, want 2 (%+v)", n, st.Requests)
	}
	wrong, s := newAtlasClient(t, srv, atlas.WithServiceAccount("mdb_sa_id_x", "wrong-secret"))
	err := wrong.DeleteLinkToken(context.Background(), testOrg)
	var te *atlas.TokenError
	if !errors.As(err, &te) || !errors.Is(err, atlas.ErrUnauthorized) || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("wrong client secret: %v", err)
	}
	if len(s.got()) != 0 {
		t.Errorf("a refused token exchange was retried %d times", len(s.got()))
	}
}
