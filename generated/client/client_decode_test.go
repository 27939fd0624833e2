package client_test

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

// readRecorded parses one of the live recordings in ../testdata/recorded as
// the response to req.
func readRecorded(t *testing.T, name string, req *http.Request) *http.Response {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "recorded", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	resp, err := http.ReadResponse(bufio.NewReader(f), req)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return resp
}

const recordedPath = "/api/atlas/v2/orgs/a0123456789abcdef012345a/liveMigrations/linkTokens"

func TestRecordedCreate201FillsJSON201(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://cloud.mongodb.com"+recordedPath, nil)
	resp := readRecorded(t, "v2-create-201.http", req)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.atlas.2023-01-01+json;charset=utf-8" {
		t.Fatalf("recording changed: Content-Type %q", ct)
	}
	parsed, err := client.ParseCreateLinkTokenResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.JSON201 == nil {
		t.Fatal("JSON201 is nil: the client did not match the live media type with its charset")
	}
	if parsed.JSON201.LinkToken != "redactedToken" {
		t.Errorf("linkToken = %q", parsed.JSON201.LinkToken)
	}
	if parsed.StatusCode() != http.StatusCreated {
		t.Errorf("status = %d", parsed.StatusCode())
	}
}

func TestRecordedDelete404FillsJSON404(t *testing.T) {
	req, _ := http.NewRequest(http.MethodDelete, "https://cloud.mongodb.com"+recordedPath, nil)
	resp := readRecorded(t, "v2-delete-404-no-link.http", req)
	parsed, err := client.ParseDeleteLinkTokenResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	e := parsed.JSON404
	if e == nil {
		t.Fatal("JSON404 is nil")
	}
	if e.Error != 404 || e.ErrorCode == nil || *e.ErrorCode != "UNEXPECTED_ERROR" {
		t.Errorf("error = %d, errorCode = %v", e.Error, e.ErrorCode)
	}
	if e.Detail == nil || *e.Detail != "Could not find the requested external organization link." {
		t.Errorf("detail = %v", e.Detail)
	}
	if e.Parameters != nil {
		t.Errorf("parameters = %v, want nil (the service sent null)", *e.Parameters)
	}
}

func TestRecordedDelete204HasNoTypedBody(t *testing.T) {
	req, _ := http.NewRequest(http.MethodDelete, "https://cloud.mongodb.com"+recordedPath, nil)
	resp := readRecorded(t, "v2-delete-204.http", req)
	parsed, err := client.ParseDeleteLinkTokenResponse(resp)
	if err != nil {
		t.Fatalf("a 204 with a Content-Type and no body must parse: %v", err)
	}
	if parsed.StatusCode() != http.StatusNoContent || len(parsed.Body) != 0 {
		t.Errorf("status %d, body %q", parsed.StatusCode(), parsed.Body)
	}
	if parsed.JSON200 != nil || parsed.JSON404 != nil {
		t.Error("a 204 filled a typed field")
	}
}

// TestEveryJSONMediaTypeFillsTheTypedField covers the media types either API
// version may send, with and without parameters, on every success response
// with a body: the generated code's side of TestClientViewHasOneJSONMediaTypePerResponse.
func TestEveryJSONMediaTypeFillsTheTypedField(t *testing.T) {
	responses := []struct {
		name   string
		status int
		body   string
		// typedBody parses resp and returns the typed field for status, nil if unfilled.
		typedBody func(*http.Response) (any, error)
	}{
		{name: "createLinkToken 201", status: http.StatusCreated, body: `{"linkToken":"abc"}`,
			typedBody: func(resp *http.Response) (any, error) {
				parsed, err := client.ParseCreateLinkTokenResponse(resp)
				return nilIfUnset(parsed.JSON201), err
			}},
		{name: "createLinkToken 200", status: http.StatusOK, body: `{"status":201,"content":{"linkToken":"abc"}}`,
			typedBody: func(resp *http.Response) (any, error) {
				parsed, err := client.ParseCreateLinkTokenResponse(resp)
				return nilIfUnset(parsed.JSON200), err
			}},
		{name: "deleteLinkToken 200", status: http.StatusOK, body: `{"status":204,"content":null}`,
			typedBody: func(resp *http.Response) (any, error) {
				parsed, err := client.ParseDeleteLinkTokenResponse(resp)
				return nilIfUnset(parsed.JSON200), err
			}},
	}
	for _, r := range responses {
		for _, ct := range []string{
			"application/json",
			"application/json;charset=utf-8",
			"application/vnd.atlas.2023-01-01+json",
			"application/vnd.atlas.2023-01-01+json;charset=utf-8",
			"application/vnd.atlas.2023-01-01+json; charset=UTF-8",
		} {
			t.Run(r.name+"/"+ct, func(t *testing.T) {
				resp := &http.Response{
					StatusCode: r.status,
					Header:     http.Header{"Content-Type": {ct}},
					Body:       nopCloser{strings.NewReader(r.body)},
				}
				typed, err := r.typedBody(resp)
				if err != nil {
					t.Fatal(err)
				}
				if typed == nil {
					t.Fatal("the typed field is nil: the client compared the media type byte for byte")
				}
			})
		}
	}
}

// nilIfUnset turns a nil *T into a nil interface, so that typedBody's caller
// can test for nil without knowing T.
func nilIfUnset[T any](field *T) any {
	if field == nil {
		return nil
	}
	return field
}

// TestSeedUnauthorizedCharsetFillsJSON401 uses the seed page's 401, whose
// body is application/json;charset=ISO-8859-1.
func TestSeedUnauthorizedCharsetFillsJSON401(t *testing.T) {
	resp := &http.Response{
		StatusCode: http.StatusUnauthorized,
		Header: http.Header{
			"Content-Type":     {"application/json;charset=ISO-8859-1"},
			"Www-Authenticate": {`Digest realm="MMS Public API", domain="", nonce="abc", algorithm=MD5, op="auth", stale=false`},
		},
		Body: nopCloser{strings.NewReader(`{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","detail":"You are not authorized for this resource.","reason":"Unauthorized","parameters":null}`)},
	}
	parsed, err := client.ParseCreateLinkTokenResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.JSON401 == nil || parsed.JSON401.Error != 401 {
		t.Fatalf("JSON401 = %+v", parsed.JSON401)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
