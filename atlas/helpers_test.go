package atlas_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

const testOrg = "4888442a3354817a7320eb61"

// sleeper records the waits the retry loop asks for instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fastPolicy retries without real sleeping and without jitter, so waits are exact.
func fastPolicy(s *sleeper) atlas.RetryPolicy {
	p := atlas.DefaultRetryPolicy()
	p.Sleep = s.sleep
	p.Jitter = func(d time.Duration) time.Duration { return d }
	return p
}

// newFakeClient returns a digest client for f whose retries record their
// waits in the returned sleeper.
func newFakeClient(t testing.TB, f *fakeAtlas, opts ...atlas.Option) (*atlas.Client, *sleeper) {
	t.Helper()
	s := &sleeper{}
	all := append([]atlas.Option{
		atlas.WithBaseURL(f.root()),
		atlas.WithDigest(f.public, f.private),
		atlas.WithRetryPolicy(fastPolicy(s)),
	}, opts...)
	c, err := atlas.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, s
}
