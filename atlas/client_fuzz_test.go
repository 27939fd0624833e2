package atlas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// fzSecret stands for a secret in a response body: the fuzzer writes
// {secret} and the stub puts this in its place. It is long enough to look
// like the link-token or key it stands for.
const fzSecret = "ZnV6ei1zZWNyZXQtbGluay10b2tlbi12YWx1ZS0wMTIzNA"

// fzClientSecret is the private key or client secret the client holds.
const fzClientSecret = "fz-client-private-key-0123456789"

// Flags of one FuzzClientResponse run, packed in one byte.
const (
	fzDelete   = 1 << iota // remove rather than create
	fzV1                   // API version 1.0
	fzEnvelope             // envelope=true
	fzOAuth                // a service account rather than digest: the token request gets the same response
)

// fzMaxError bounds an error's text: a few redacted excerpts, not the body.
const fzMaxError = 4096

// fzStub answers every request with the same fuzzed response.
type fzStub struct {
	status int
	header http.Header
	body   []byte
	calls  int
}

func (s *fzStub) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	s.calls++
	return &http.Response{
		StatusCode: s.status, Status: strconv.Itoa(s.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: s.header.Clone(), Body: io.NopCloser(bytes.NewReader(s.body)), ContentLength: -1, Request: req,
	}, nil
}

// fzResponseHeader parses "Name: value" lines, as the contract tests do.
func fzResponseHeader(block string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(block, "\n") {
		if name, value, ok := strings.Cut(strings.TrimSuffix(line, "\r"), ":"); ok {
			h.Add(strings.TrimSpace(name), strings.TrimLeft(value, " \t"))
		}
	}
	return h
}

// FuzzClientResponse: a real Client decoding arbitrary responses (status,
// headers, body) from an http.RoundTripper stub, for either operation, API
// version, envelope and authentication (digest, or a service account whose
// token request gets the same response). Whatever the response: no panic, no
// hang (everything under a deadline, retries without sleeping); a result or
// an error, never both, and a result only for a success status with the
// token the body holds; and an error's text is one bounded line that never
// holds a secret the body carried.
func FuzzClientResponse(f *testing.F) {
	const v2 = "application/vnd.atlas.2023-01-01+json"
	// The recorded and mocked responses of both operations.
	var paths []string
	for _, pattern := range []string{"../testdata/recorded/*.http", "../contract/testdata/conforming/*/*.http", "../contract/testdata/violations/*/*.http"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 20 {
		f.Fatalf("only %d fixtures", len(paths))
	}
	for _, p := range paths {
		if strings.HasSuffix(p, ".request.http") {
			continue
		}
		exs, err := recorded.ReadHTTPFile(p)
		if err != nil {
			f.Fatal(err)
		}
		resp := exs[len(exs)-1].Response
		var header strings.Builder
		for name, values := range resp.Header {
			for _, v := range values {
				header.WriteString(name + ": " + v + "\n")
			}
		}
		var flags uint8
		if strings.Contains(p, "delete") {
			flags |= fzDelete
		}
		if strings.Contains(p, "v1.0") {
			flags |= fzV1
		}
		if strings.Contains(p, "envelope") {
			flags |= fzEnvelope
		}
		f.Add(flags, resp.StatusCode, header.String(), resp.Body)
	}
	for _, s := range []struct {
		flags  uint8
		status int
		header string
		body   string
	}{
		{0, 201, "Content-Type: " + v2, `{"linkToken":"{secret}"}`},
		{0, 201, "Content-Type: " + v2, `{"linkToken":""}`},
		{0, 201, "Content-Type: " + v2, `{"linkToken":["{secret}"]}`},
		{0, 201, "Content-Type: text/html", `<html>{secret}</html>`},
		{0, 200, "Content-Type: " + v2, `{"status":201,"content":{"linkToken":"{secret}"}}`},
		{fzEnvelope, 200, "Content-Type: " + v2, `{"status":201,"content":{"linkToken":"{secret}"}}`},
		{fzEnvelope, 200, "Content-Type: " + v2, `{"status":400,"content":{"error":400,"detail":"{secret}","badRequestDetail":{"fields":[{"field":"{secret}","description":"{secret}"}]}}}`},
		{fzEnvelope | fzDelete, 200, "", `{"status":204,"content":null}`},
		{fzEnvelope, 200, "", `{"status":-1}`},
		{0, 400, "Content-Type: " + v2, `{"error":400,"errorCode":"{secret}","reason":"{secret}","detail":"token {secret}","parameters":["{secret}"]}`},
		{0, 400, "X-Error-Code: {secret}\nContent-Type: " + v2, `{"error":400,"errorCode":null}`},
		{0, 404, "Content-Type: application/json", "{\"error\":404,\"errorCode\":\"A\\nB\",\"reason\":\"x\\r\\ny\",\"detail\":\"{secret}\"}"},
		{fzDelete, 429, "Retry-After: 99999999999999999", `{"error":429,"errorCode":"RATE_LIMITED"}`},
		{fzDelete, 503, "Retry-After: Wed, 21 Oct 2099 07:28:00 GMT", `{"error":503}`},
		{0, 500, "", `{"error":500,"detail":"` + strings.Repeat("x", 2000) + `"}`},
		{0, 401, `WWW-Authenticate: Digest realm="MMS Public API", domain="", nonce="bm9uY2U=", algorithm=MD5, qop="auth", stale=false`, `{"error":401,"detail":"{secret}"}`},
		{0, 401, `WWW-Authenticate: Digest realm="x", qop="auth-int", algorithm=SHA-512-256`, ``},
		{fzDelete, 401, `WWW-Authenticate: Basic realm="x"`, `{}`},
		{fzOAuth, 200, "Content-Type: application/json", `{"access_token":"{secret}","token_type":"bearer","expires_in":3600}`},
		{fzOAuth | fzDelete, 401, "Content-Type: application/json", `{"error":"invalid_client","error_description":"{secret}"}`},
		{fzOAuth, 200, "Content-Type: application/json", `{"access_token":"{secret}","token_type":"mac","expires_in":-1}`},
		{0, 302, "Location: /elsewhere", ``},
		{0, 307, "Location: http://[::1", ``},
		{0, 204, "", `{"linkToken":"{secret}"}`},
		{fzDelete, 200, "", `not json {secret}`},
		{fzDelete, 999, "", ``},
		{0, 0, "", ``},
		{0, 400, "Content-Type: " + v2, `{"error":400,"reason":"` + strings.Repeat("r", 300) + `","errorCode":"` + strings.Repeat("C", 300) + `","detail":"` + strings.Repeat("d ", 300) + `","badRequestDetail":{"fields":[` + strings.Repeat(`{"field":"`+strings.Repeat("f", 300)+`","description":"`+strings.Repeat("d ", 300)+`"},`, 30) + `{"field":"f"}]}}`},
		{fzDelete | fzV1, 409, "Content-Type: application/json", `{"error":409,"errorCode":"CANNOT_REMOVE","badRequestDetail":{"fields":[` + strings.Repeat(`{"field":"f","description":"d"},`, 50) + `{"field":"f"}]}}`},
	} {
		f.Add(s.flags, s.status, s.header, []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, flags uint8, status int, header string, body []byte) {
		stub := &fzStub{status: status, header: fzResponseHeader(header), body: bytes.ReplaceAll(body, []byte("{secret}"), []byte(fzSecret))}
		version := atlas.APIVersionV2
		if flags&fzV1 != 0 && flags&fzOAuth == 0 { // service accounts are v2 only
			version = atlas.APIVersionV1
		}
		opts := []atlas.Option{
			atlas.WithBaseURL("http://127.0.0.1:9/base/"),
			atlas.WithHTTPClient(&http.Client{Transport: stub}),
			atlas.WithAPIVersion(version),
			atlas.WithEnvelope(flags&fzEnvelope != 0),
			atlas.WithRetryPolicy(atlas.RetryPolicy{
				MaxAttempts: 3,
				Sleep:       func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
				Jitter:      func(d time.Duration) time.Duration { return d },
			}),
		}
		if flags&fzOAuth != 0 {
			opts = append(opts, atlas.WithServiceAccount("mdb_sa_id_fz", fzClientSecret))
		} else {
			opts = append(opts, atlas.WithDigest("fzpublic", fzClientSecret))
		}
		c, err := atlas.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		var token atlas.LinkToken
		if flags&fzDelete != 0 {
			err = c.DeleteLinkToken(ctx, testOrg)
		} else {
			token, err = c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
		}
		if ctx.Err() != nil {
			t.Fatalf("the call ran into its deadline: %v", err)
		}
		if stub.calls == 0 {
			t.Fatal("no request reached the transport")
		}
		if err == nil {
			fzCheckSuccess(t, flags, stub, token)
			return
		}
		if !token.IsZero() {
			t.Fatalf("both a token and an error: %v", err)
		}
		msg := err.Error()
		if strings.Contains(msg, fzSecret) || strings.Contains(msg, fzClientSecret) {
			t.Fatalf("error holds a secret: %s", msg)
		}
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("error on more than one line: %q", msg)
		}
		if len(msg) > fzMaxError {
			t.Fatalf("error of %d bytes for a %d-byte body", len(msg), len(stub.body))
		}
		var apiErr *atlas.APIError
		var unexpected *atlas.UnexpectedResponseError
		if errors.As(err, &apiErr) && apiErr.StatusCode < 400 {
			t.Fatalf("APIError for status %d: %v", apiErr.StatusCode, err)
		}
		if errors.As(err, &unexpected) && unexpected.Excerpt != "" && len(unexpected.Excerpt) > 200 {
			t.Fatalf("excerpt of %d bytes", len(unexpected.Excerpt))
		}
	})
}

// fzCheckSuccess: a call succeeds only on a success status, and a create
// returns the token the body held.
func fzCheckSuccess(t *testing.T, flags uint8, stub *fzStub, token atlas.LinkToken) {
	t.Helper()
	body := stub.body
	status := stub.status
	if flags&fzEnvelope != 0 && status == http.StatusOK {
		var env struct {
			Status  int             `json:"status"`
			Content json.RawMessage `json:"content"`
		}
		if json.Unmarshal(body, &env) == nil && env.Status != 0 {
			status, body = env.Status, env.Content
		}
	}
	if flags&fzDelete != 0 {
		if status != http.StatusNoContent && status != http.StatusOK {
			t.Fatalf("remove succeeded on status %d", status)
		}
		return
	}
	if status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("create succeeded on status %d", status)
	}
	var org struct {
		LinkToken string `json:"linkToken"`
	}
	if err := json.Unmarshal(body, &org); err != nil || org.LinkToken == "" || token.Reveal() != org.LinkToken {
		t.Fatalf("create returned a token that is not the body's (%v)", err)
	}
	if strings.Contains(token.String(), fzSecret) {
		t.Fatal("the token prints its secret")
	}
}

// TestErrorTextRedactsServerFields: every field of an error that came from
// the server is redacted and kept on one line, not only the detail; an
// error code of the usual shape is printed as it is, however long; and no
// more than ten bad-request fields are named.
func TestErrorTextRedactsServerFields(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    string
		notWant []string
	}{
		{"secret error code", &atlas.APIError{Operation: "create", StatusCode: 400, ErrorCode: fzSecret},
			"400 Bad Request ([REDACTED])", []string{fzSecret}},
		{"long error code", &atlas.APIError{Operation: "delete", StatusCode: 409, ErrorCode: "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"},
			"(CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK)", nil},
		{"reason with a line break", &atlas.APIError{Operation: "create", StatusCode: 404, Reason: "Not Found\r\nlevel=INFO forged " + fzSecret},
			"404 Not Found level=INFO forged [REDACTED]", []string{"\n", "\r", fzSecret}},
		{"secret field name", &atlas.APIError{Operation: "create", StatusCode: 400,
			BadRequestFields: []atlas.FieldError{{Field: fzSecret, Description: "d"}, {Field: "/accessListIps/0", Description: "x"}}},
			"; [REDACTED]: d; /accessListIps/0: x", []string{fzSecret}},
		{"many fields", &atlas.APIError{Operation: "create", StatusCode: 400, BadRequestFields: make([]atlas.FieldError, 25)},
			"; : ; and 15 more fields", nil},
		{"content type", &atlas.UnexpectedResponseError{Operation: "create", StatusCode: 201, ContentType: "text/x\nforged " + fzSecret, Problem: "undecodable body"},
			"(text/x forged [REDACTED])", []string{"\n", fzSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tt.err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("%q does not contain %q", msg, tt.want)
			}
			for _, s := range tt.notWant {
				if strings.Contains(msg, s) {
					t.Errorf("%q contains %q", msg, s)
				}
			}
		})
	}
}
