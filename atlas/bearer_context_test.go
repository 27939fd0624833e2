package atlas_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/silentserver"
)

// hangingServiceAccount is a service-account client of a server that never
// answers, its token endpoint included; it makes one attempt per call.
func hangingServiceAccount(t *testing.T) *atlas.Client {
	t.Helper()
	c, err := atlas.NewClient(atlas.WithBaseURL(silentserver.Start(t, silentserver.Hanging)),
		atlas.WithServiceAccount("mdb_sa_id_ctx", "mdb_sa_sk_ctx"), atlas.WithRetryPolicy(atlas.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServiceAccountTokenFetchEndsWithTheCall: a token endpoint that never
// answers holds a call only until the call's own deadline, and the error says
// so (errors.Is context.DeadlineExceeded), rather than waiting out the HTTP
// client's timeout.
func TestServiceAccountTokenFetchEndsWithTheCall(t *testing.T) {
	c := hangingServiceAccount(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.CreateLinkToken(ctx, "4888442a3354817a7320eb61")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want one matching context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("the call took %v past a 200ms deadline", waited)
	}
}

// TestAWaitForAnotherCallsTokenFetchEndsWithTheCall: while one call fetches
// the service account's token (from an endpoint that does not answer), a
// second call waiting for that token still ends at its own deadline.
func TestAWaitForAnotherCallsTokenFetchEndsWithTheCall(t *testing.T) {
	c := hangingServiceAccount(t)
	first, cancelFirst := context.WithCancel(context.Background())
	firstDone := make(chan struct{})
	go func() {
		defer close(firstDone)
		_ = c.DeleteLinkToken(first, "4888442a3354817a7320eb61")
	}()
	defer func() { cancelFirst(); <-firstDone }()
	time.Sleep(100 * time.Millisecond) // the first call is fetching the token

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.DeleteLinkToken(ctx, "4888442a3354817a7320eb61") }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want one matching context.DeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second call waited for the first call's token fetch past its own 200ms deadline")
	}
}
