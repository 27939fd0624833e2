package atlas_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// TestDefaultUserAgentNamesTheBuild: the User-Agent carries this module's
// version as the program's build recorded it; a test binary records none,
// which the header says ("devel") rather than claim a release.
func TestDefaultUserAgentNamesTheBuild(t *testing.T) {
	const want = "linktoken-go/devel (+https://github.com/seed-5c49e0d7/linktoken)"
	if got := atlas.DefaultUserAgent(); got != want {
		t.Errorf("DefaultUserAgent() = %q, want %q", got, want)
	}
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	if err := c.DeleteLinkToken(context.Background(), testOrg); err != nil && !errors.Is(err, atlas.ErrNotFound) {
		t.Fatal(err)
	}
	xs := c.wire.exchanges()
	if len(xs) == 0 {
		t.Fatal("no exchange")
	}
	for _, x := range xs {
		if x.UserAgent != want {
			t.Errorf("%s %s: User-Agent %q, want %q", x.Method, x.Path, x.UserAgent, want)
		}
	}
}
