package atlas_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// TestConcurrentCallsShareOneClient runs calls from many goroutines through
// one Client against atlastest's strict nonce counting (counts must rise in
// arrival order), with contract validation on the wire. Every call must
// succeed, and digest must cost one challenge per concurrent request slot,
// not one per call.
func TestConcurrentCallsShareOneClient(t *testing.T) {
	const goroutines, calls = 8, 20
	srv := testatlas.NewServer(t)
	c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return contract.TestTransport(t, next) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				org := fmt.Sprintf("%024x", g*1000+i)
				if _, err := c.CreateLinkToken(context.Background(), org, "192.0.2.10"); err != nil {
					errs <- err
					continue
				}
				if err := c.DeleteLinkToken(context.Background(), org); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := srv.Stats()
	if st.Successes != 2*goroutines*calls || st.Challenges > goroutines || st.Exchanges != st.Successes+st.Challenges {
		t.Errorf("%d successes, %d exchanges, %d challenges; want %d successes and at most %d challenges",
			st.Successes, st.Exchanges, st.Challenges, 2*goroutines*calls, goroutines)
	}
}
