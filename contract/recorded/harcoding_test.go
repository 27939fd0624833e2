package recorded_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// Bodies as they travel: a HAR stores a body encoded (proxies, base64) or
// already decoded beside a Content-Encoding header that no longer applies
// (browsers); a raw recording keeps what was on the wire.

func encodeBody(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		t.Fatalf("coding %q", coding)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// createEntry is a conforming create (v2, 201) whose response carries
// Content-Encoding: coding and stores body as given (base64 when asked).
func createEntry(coding string, stored []byte, asBase64 bool) map[string]any {
	e, _ := harEntryFor(0, 10)
	resp := e["response"].(map[string]any)
	resp["headers"] = append(resp["headers"].([]hh), hh{"name": "content-encoding", "value": coding})
	content := resp["content"].(map[string]any)
	if asBase64 {
		content["text"], content["encoding"] = base64.StdEncoding.EncodeToString(stored), "base64"
	} else {
		content["text"] = string(stored)
	}
	return e
}

func harOf(t *testing.T, entries ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": entries}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHARContentEncoding(t *testing.T) {
	conforming := []byte(`{"linkToken":"redactedToken"}`)
	broken := []byte(`{"linkToken":["string"]}`)
	encoded := func(coding string, body []byte) func(*testing.T) []byte {
		return func(t *testing.T) []byte { return encodeBody(t, coding, body) }
	}
	asIs := func(body []byte) func(*testing.T) []byte { return func(*testing.T) []byte { return body } }
	type want struct{ rule, pointer string }
	for _, tc := range []struct {
		name     string
		header   string // Content-Encoding
		stored   func(*testing.T) []byte
		asBase64 bool
		want     []want
	}{
		{"gzip stored encoded", "gzip", encoded("gzip", conforming), true, nil},
		{"deflate stored encoded", "deflate", encoded("deflate", conforming), true, nil},
		{"br stored encoded", "br", encoded("br", conforming), true, nil},
		{"gzip stored decoded", "gzip", asIs(conforming), false, nil},
		{"deflate stored decoded", "deflate", asIs(conforming), false, nil},
		{"br stored decoded", "br", asIs(conforming), false, nil},
		{"gzip stored decoded in base64", "gzip", asIs(conforming), true, nil},
		{"x-gzip stored decoded", "identity, x-gzip", asIs(conforming), false, nil},
		{"gzip stored encoded, a violation inside", "gzip", encoded("gzip", broken), true, []want{{"type", "/linkToken"}}},
		{"br stored encoded, a violation inside", "br", encoded("br", broken), true, []want{{"type", "/linkToken"}}},
		{"gzip stored decoded, a violation inside", "gzip", asIs(broken), false, []want{{"type", "/linkToken"}}},
		// Evidently encoded, and broken: the check says so.
		{"gzip cut short", "gzip", asIs([]byte("\x1f\x8b\x08\x00")), true, []want{{contract.RuleContentEncoding, ""}}},
		// Every coding a browser decodes, and stores decoded.
		{"zstd stored decoded", "zstd", asIs(conforming), false, nil},
		{"zstd stored decoded, a violation inside", "zstd", asIs(broken), false, []want{{"type", "/linkToken"}}},
		{"dcb stored decoded", "dcb", asIs(conforming), false, nil},
		{"dcz stored decoded in base64", "dcz", asIs(conforming), true, nil},
		// Stored encoded in a coding the check does not decode: it says so.
		{"zstd stored encoded", "zstd", asIs([]byte("\x28\xb5\x2f\xfd\x04\x00")), true, []want{{contract.RuleContentEncoding, ""}}},
		{"a coding no browser decodes", "compress", asIs(conforming), false, []want{{contract.RuleContentEncoding, ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			har := harOf(t, createEntry(tc.header, tc.stored(t), tc.asBase64))
			var rep recorded.Report
			if err := recorded.CheckHAR(strict, &rep, bytes.NewReader(har), "x.har"); err != nil {
				t.Fatal(err)
			}
			if rep.Exchanges != 1 || len(rep.Violations) != len(tc.want) {
				t.Fatalf("report %+v %v; want %d violations", rep, rep.Violations, len(tc.want))
			}
			for i, w := range tc.want {
				if v := rep.Violations[i]; v.Rule != w.rule || v.Pointer != w.pointer || v.Side != contract.SideResponse {
					t.Errorf("violation %v; want %s at %q", v, w.rule, w.pointer)
				}
			}
		})
	}
}

// TestRawContentEncoding: a raw recording's body is checked as it was on
// the wire, decoded by its Content-Encoding; a stale header is the
// recording's fault and reported.
func TestRawContentEncoding(t *testing.T) {
	data, err := os.ReadFile("../testdata/conforming/createLinkToken/201_v2.http")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("HTTP/1.1 201"))
	request := data[:i]
	exchange := func(body []byte, coding string) []byte {
		return append(append([]byte{}, request...), "HTTP/1.1 201 Created\r\n"+
			"Content-Type: application/vnd.atlas.2023-01-01+json;charset=utf-8\r\n"+
			"Content-Encoding: "+coding+"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+string(body)...)
	}
	for _, tc := range []struct {
		name, coding string
		body         []byte
		rule, ptr    string // "" for none
	}{
		{"gzip", "gzip", encodeBody(t, "gzip", []byte(`{"linkToken":"redactedToken"}`)), "", ""},
		{"br", "br", encodeBody(t, "br", []byte(`{"linkToken":"redactedToken"}`)), "", ""},
		{"a violation inside gzip", "gzip", encodeBody(t, "gzip", []byte(`{"linkToken":["string"]}`)), "type", "/linkToken"},
		{"a stale Content-Encoding", "gzip", []byte(`{"linkToken":"redactedToken"}`), contract.RuleContentEncoding, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var exs []*contract.Exchange
			err := recorded.ReadHTTPExchanges(bytes.NewReader(exchange(tc.body, tc.coding)), "x.http", func(ex *contract.Exchange) error {
				exs = append(exs, ex)
				return nil
			})
			if err != nil || len(exs) != 1 {
				t.Fatalf("%d exchanges, %v", len(exs), err)
			}
			res, err := strict.Check(exs[0])
			if err != nil {
				t.Fatal(err)
			}
			if tc.rule == "" {
				if len(res.Violations) != 0 {
					t.Fatalf("violations %v", res.Violations)
				}
				return
			}
			if len(res.Violations) != 1 || res.Violations[0].Rule != tc.rule || res.Violations[0].Pointer != tc.ptr {
				t.Fatalf("violations %v; want one %s at %q", res.Violations, tc.rule, tc.ptr)
			}
		})
	}
}
