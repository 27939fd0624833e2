package atlastest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

func TestRateLimitPerOrganization(t *testing.T) {
	srv := atlastest.NewServer(t, atlastest.WithRateLimit(3, time.Hour))
	c := newClient(t, srv, clientOpts{})
	for i := range 3 {
		r := remove(t, c, orgA, nil)
		if r.StatusCode() != 404 {
			t.Fatalf("call %d: %d", i, r.StatusCode())
		}
		h := r.HTTPResponse.Header
		if h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Errorf("call %d: limit %s remaining %s", i, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"))
		}
	}
	r := remove(t, c, orgA, nil)
	if r.StatusCode() != 429 || r.JSON429 == nil || errorCode(r.JSON429) != "RATE_LIMITED" {
		t.Fatalf("4th call: %d %s", r.StatusCode(), r.Body)
	}
	if ra, err := strconv.Atoi(r.HTTPResponse.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", r.HTTPResponse.Header.Get("Retry-After"))
	}
	if r.HTTPResponse.Header.Get("RateLimit-Remaining") != "0" {
		t.Errorf("remaining %s", r.HTTPResponse.Header.Get("RateLimit-Remaining"))
	}
	// Another organization has its own bucket.
	if r := remove(t, c, orgB, nil); r.StatusCode() != 404 {
		t.Errorf("other org: %d", r.StatusCode())
	}
	// The handshake's 401 does not draw from the bucket but reports it.
	r = remove(t, newClient(t, srv, clientOpts{noAuth: true}), orgB, nil)
	if r.StatusCode() != 401 || r.HTTPResponse.Header.Get("RateLimit-Remaining") != "2" {
		t.Errorf("401: %d remaining %s", r.StatusCode(), r.HTTPResponse.Header.Get("RateLimit-Remaining"))
	}
}

func TestRateLimitRefills(t *testing.T) {
	srv := atlastest.NewServer(t, atlastest.WithRateLimit(1, 100*time.Millisecond))
	c := newClient(t, srv, clientOpts{})
	remove(t, c, orgA, nil)
	if r := remove(t, c, orgA, nil); r.StatusCode() != 429 {
		t.Fatalf("second call: %d", r.StatusCode())
	}
	time.Sleep(150 * time.Millisecond)
	if r := remove(t, c, orgA, nil); r.StatusCode() != 404 {
		t.Errorf("after refill: %d", r.StatusCode())
	}
}
