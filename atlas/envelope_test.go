package atlas_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

func TestEnvelopeIsSentAndUnwrapped(t *testing.T) {
	f := newFakeAtlas(t)
	c, s := newFakeClient(t, f, atlas.WithEnvelope(true), atlas.WithPretty(true))
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
	f.push(failWith(429, "RATE_LIMITED", "4"))
	if _, err := c.CreateLinkToken(ctx, testOrg); err != nil {
		t.Fatalf("create after an enveloped 429: %v", err)
	}
	if w := s.got(); len(w) != 1 || w[0] != 4*time.Second {
		t.Errorf("waits %v, want [4s]", w)
	}
	for _, r := range f.requests() {
		if !strings.Contains(r.Query, "envelope=true") {
			t.Errorf("%s without envelope=true: %q", r.Method, r.Query)
		}
		if r.Method == http.MethodPost && !strings.Contains(r.Query, "pretty=true") {
			t.Errorf("create without pretty=true: %q", r.Query)
		}
		if r.Method == http.MethodDelete && strings.Contains(r.Query, "pretty") {
			t.Errorf("delete sent pretty, which it does not declare: %q", r.Query)
		}
		if r.Authorized && r.Status != 200 {
			t.Errorf("enveloped response had status %d", r.Status)
		}
	}
}

func TestBrokenEnvelopeIsAnUnexpectedResponse(t *testing.T) {
	f := newFakeAtlas(t)
	c, _ := newFakeClient(t, f, atlas.WithEnvelope(true))
	f.push(rawResponse(200, "application/json", "{not json"))
	err := c.DeleteLinkToken(context.Background(), testOrg)
	var ue *atlas.UnexpectedResponseError
	if !errors.As(err, &ue) || ue.Problem != "undecodable envelope" || ue.StatusCode != 200 {
		t.Fatalf("err = %v", err)
	}
}
