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
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestEnvelopeIsSentAndUnwrapped(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv, atlas.WithEnvelope(true), atlas.WithPretty(true))
	ctx := context.Background()
	tok, err := c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
	if err != nil || tok.IsZero() {
		t.Fatalf("create: %v", err)
	}
	if err := c.DeleteLinkToken(ctx, testOrg); err != nil {
		t.Fatalf("delete: %v", err)
	}
	err = c.DeleteLinkToken(ctx, testOrg)
	if !errors.Is(err, atlas.ErrNotFound) || !atlas.IsErrorCode(err, "UNEXPECTED_ERROR") {
		t.Fatalf("second delete: %v", err)
	}
	// An enveloped 429 keeps Retry-After and is retried.
	srv.InjectFault(1, atlastest.Fault{Status: 429, RetryAfter: 4 * time.Second})
	if _, err := c.CreateLinkToken(ctx, testOrg); err != nil {
		t.Fatalf("create after an enveloped 429: %v", err)
	}
	if w := c.sleeps.got(); len(w) != 1 || w[0] != 4*time.Second {
		t.Errorf("waits %v, want [4s]", w)
	}
	for _, r := range c.wire.exchanges() {
		if !strings.Contains(r.Query, "envelope=true") {
			t.Errorf("%s without envelope=true: %q", r.Method, r.Query)
		}
		if r.Method == http.MethodPost && !strings.Contains(r.Query, "pretty=true") {
			t.Errorf("create without pretty=true: %q", r.Query)
		}
		if r.Method == http.MethodDelete && strings.Contains(r.Query, "pretty") {
			t.Errorf("delete sent pretty, which it does not declare: %q", r.Query)
		}
		if r.attempt() && r.Status != 200 {
			t.Errorf("enveloped response had status %d", r.Status)
		}
	}
}

func TestBrokenEnvelopeIsAnUnexpectedResponse(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newLenientClient(t, srv, atlas.WithEnvelope(true))
	srv.InjectFault(1, atlastest.Fault{Status: 200, ContentType: "application/json", Body: "{not json"})
	err := c.DeleteLinkToken(context.Background(), testOrg)
	var ue *atlas.UnexpectedResponseError
	if !errors.As(err, &ue) || ue.Problem != "undecodable envelope" || ue.StatusCode != 200 {
		t.Fatalf("err = %v", err)
	}
}
