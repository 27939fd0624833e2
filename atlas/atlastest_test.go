package atlas_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestAtlastestLifecycleConformsOnEveryVersionAndEnvelope(t *testing.T) {
	for _, version := range []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1} {
		for _, envelope := range []bool{false, true} {
			t.Run(string(version)+map[bool]string{false: "", true: " envelope"}[envelope], func(t *testing.T) {
				srv := testatlas.NewServer(t)
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
	srv := testatlas.NewServer(t)
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
	srv := testatlas.NewServer(t, atlastest.WithAPIKey(owner), atlastest.WithAPIKey(member))
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
	srv := testatlas.NewServer(t)
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

func TestAtlastestServiceAccount(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id_x", "mdb_sa_sk_x"))
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
