package atlastest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestEnvelopeWrapsEveryResponseButTheChallenge(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	env := &client.DeleteLinkTokenParams{Envelope: ptr(true)}
	cenv := &client.CreateLinkTokenParams{Envelope: ptr(true)}

	type result struct {
		status int
		ctype  string
		body   []byte
		header http.Header
	}
	for _, tc := range []struct {
		name       string
		do         func() result
		realStatus int
		wantType   string
		content    string // substring of the content, or "" for none
	}{
		{"create", func() result {
			r := create(t, c, atlastest.BasePathV2, orgA, cenv)
			return result{r.StatusCode(), r.HTTPResponse.Header.Get("Content-Type"), r.Body, r.HTTPResponse.Header}
		}, 201, "application/vnd.atlas.2023-01-01+json;charset=utf-8", `"linkToken"`},
		{"remove", func() result {
			r := remove(t, c, orgA, env)
			return result{r.StatusCode(), r.HTTPResponse.Header.Get("Content-Type"), r.Body, r.HTTPResponse.Header}
		}, 204, "application/vnd.atlas.2023-01-01+json;charset=utf-8", ""},
		{"remove without link", func() result {
			r := remove(t, c, orgA, env)
			return result{r.StatusCode(), r.HTTPResponse.Header.Get("Content-Type"), r.Body, r.HTTPResponse.Header}
		}, 404, "application/json", `"errorCode":"UNEXPECTED_ERROR"`},
		{"rate limited", func() result {
			limited := testatlas.NewServer(t, atlastest.WithRateLimit(1, time.Hour))
			lc := newClient(t, limited, clientOpts{})
			remove(t, lc, orgB, env)
			r := remove(t, lc, orgB, env)
			return result{r.StatusCode(), r.HTTPResponse.Header.Get("Content-Type"), r.Body, r.HTTPResponse.Header}
		}, 429, "application/json", `"errorCode":"RATE_LIMITED"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.do()
			if got.status != http.StatusOK || got.ctype != tc.wantType {
				t.Fatalf("HTTP %d %s, want 200 %s", got.status, got.ctype, tc.wantType)
			}
			var e client.ResponseEnvelope
			if err := json.Unmarshal(got.body, &e); err != nil {
				t.Fatal(err)
			}
			if int(e.Status) != tc.realStatus {
				t.Errorf("status in envelope %d, want %d", e.Status, tc.realStatus)
			}
			raw, _ := json.Marshal(e.Content)
			switch {
			case tc.content == "" && e.Content != nil:
				t.Errorf("content %s, want none", raw)
			case tc.content != "" && !strings.Contains(string(raw), tc.content):
				t.Errorf("content %s lacks %s", raw, tc.content)
			}
			if got.header.Get("RateLimit-Limit") == "" || got.header.Get("RateLimit-Remaining") == "" {
				t.Error("rate-limit headers missing")
			}
			if tc.realStatus == 429 && got.header.Get("Retry-After") == "" {
				t.Error("Retry-After dropped by the envelope")
			}
		})
	}

	t.Run("the challenge stays 401", func(t *testing.T) {
		r := remove(t, newClient(t, srv, clientOpts{noAuth: true}), orgA, env)
		if r.StatusCode() != 401 || r.JSON401 == nil || r.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("typed decoding of an enveloped create", func(t *testing.T) {
		r := create(t, newClient(t, srv, clientOpts{version: atlastest.BasePathV1}), atlastest.BasePathV1, orgA, cenv)
		if r.JSON200 == nil {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
		e, err := r.JSON200.AsResponseEnvelope()
		if err != nil || e.Status != 201 {
			t.Errorf("envelope %+v %v", e, err)
		}
	})
}

func TestPrettyChangesOnlyWhitespace(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	for _, tc := range []struct {
		name   string
		params *client.CreateLinkTokenParams
		org    string
	}{
		{"success", &client.CreateLinkTokenParams{Pretty: ptr(true)}, orgA},
		{"error", &client.CreateLinkTokenParams{Pretty: ptr(true)}, "bad"},
		{"enveloped", &client.CreateLinkTokenParams{Pretty: ptr(true), Envelope: ptr(true)}, orgA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := create(t, c, atlastest.BasePathV2, tc.org, &client.CreateLinkTokenParams{Envelope: tc.params.Envelope})
			pretty := create(t, c, atlastest.BasePathV2, tc.org, tc.params)
			if !strings.Contains(string(pretty.Body), "\n  \"") {
				t.Errorf("not indented: %s", pretty.Body)
			}
			if strings.Contains(string(plain.Body), "\n") {
				t.Errorf("plain body indented: %s", plain.Body)
			}
			if pretty.StatusCode() != plain.StatusCode() {
				t.Errorf("status %d vs %d", pretty.StatusCode(), plain.StatusCode())
			}
			var a, b map[string]any
			if json.Unmarshal(plain.Body, &a) != nil || json.Unmarshal(pretty.Body, &b) != nil {
				t.Fatal("not JSON")
			}
			if len(a) != len(b) {
				t.Errorf("different documents: %s vs %s", plain.Body, pretty.Body)
			}
		})
	}
}
