package atlas_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// TestClientLeavesNoGoroutines runs successes, retries, a timeout and a
// broken connection, then checks that closing the client and the server
// leaves no goroutine behind.
func TestClientLeavesNoGoroutines(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	func() {
		srv := testatlas.NewServer(t)
		defer srv.Close()
		s := &sleeper{}
		c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
			atlas.WithRetryPolicy(fastPolicy(s)), atlas.WithHTTPClient(&http.Client{Timeout: time.Second}),
			// A wire wrapper that does not forward CloseIdleConnections.
			atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return contract.TestTransport(t, next) }))
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		ctx := context.Background()
		srv.InjectFault(1, atlastest.Fault{Status: 429})
		if _, err := c.CreateLinkToken(ctx, testOrg); err != nil {
			t.Fatal(err)
		}
		srv.InjectFault(1, atlastest.Fault{Latency: 5 * time.Second})
		srv.InjectFault(1, atlastest.Fault{CloseConnection: true})
		if err := c.DeleteLinkToken(ctx, testOrg); err != nil {
			t.Fatal(err)
		}
	}()
	goleak.VerifyNone(t, ignore)
}
