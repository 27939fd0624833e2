package atlas_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// Two servers on 127.0.0.1 differ only by port; icholy/digest.Transport
// would key both challenges by the host name "127.0.0.1". Each Client keeps
// its own challenges, so alternating between them never costs a re-challenge.
func TestTwoServersOnOneHostKeepTheirOwnChallenges(t *testing.T) {
	a, b := testatlas.NewServer(t), testatlas.NewServer(t)
	ca, _ := newAtlasClient(t, a)
	cb, _ := newAtlasClient(t, b)
	const calls = 5
	for range calls {
		for _, c := range []*atlas.Client{ca, cb} {
			if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, srv := range map[string]*atlastest.Server{"a": a, "b": b} {
		if st := srv.Stats(); st.Exchanges != calls+1 || st.Challenges != 1 {
			t.Errorf("server %s: %d exchanges, %d challenges; want %d and 1", name, st.Exchanges, st.Challenges, calls+1)
		}
	}
}

// A body without GetBody (a plain io.Reader) is buffered once so the digest
// handshake can send it twice.
func TestDigestReplaysABodyWithoutGetBody(t *testing.T) {
	srv := testatlas.NewServer(t)
	c, _ := newAtlasClient(t, srv)
	body := io.MultiReader(strings.NewReader(`{"accessListIps":`), strings.NewReader(`["192.0.2.10"]}`))
	resp, err := c.Generated().CreateLinkTokenWithBodyWithResponse(context.Background(), testOrg, nil,
		"application/vnd.atlas.2023-01-01+json", body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 201 || resp.JSON201 == nil || resp.JSON201.LinkToken == "" {
		t.Fatalf("status %d body %.80s", resp.StatusCode(), resp.Body)
	}
	if st := srv.Stats(); st.Exchanges != 2 || st.Challenges != 1 {
		t.Errorf("%d exchanges, %d challenges; want 2 and 1", st.Exchanges, st.Challenges)
	}
}
