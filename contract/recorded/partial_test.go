package recorded_test

import (
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestCheckHARBodyRecordedInPart: a response whose content.size is larger
// than the text the archive holds (Firefox past its body limit, linktoken
// proxy when the upstream's body broke off) is not judged as if whole,
// though the part held is a conforming body; a size the text matches, one
// that says nothing, and mitmproxy's encoded length beside a decoded text
// claim nothing. A response with no text and no size, or one its recorder
// marks as failed after the status line, is not judged either.
func TestCheckHARBodyRecordedInPart(t *testing.T) {
	const body = `{"linkToken":"x"}` // 17 bytes
	const credentials = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
	b64 := base64.StdEncoding.EncodeToString([]byte(body))
	for _, tc := range []struct {
		name, headers, content, bodySize string
		want                             string // the body-size violation's Found; "": conforms
	}{
		{"whole", "", `"size":17,"text":` + strconv.Quote(body), "17", ""},
		{"whole, base64", "", `"size":17,"encoding":"base64","text":"` + b64 + `"`, "17", ""},
		{"size not known", "", `"size":-1,"text":` + strconv.Quote(body), "-1", ""},
		{"size not an integer", "", `"size":"200","text":` + strconv.Quote(body), "-1", ""},
		{"in part", "", `"size":200,"text":` + strconv.Quote(body), "17",
			"200 bytes as recorded, of which the archive holds 17 (not judged)"},
		{"in part, base64", "", `"size":200,"encoding":"base64","text":"` + b64 + `"`, "-1",
			"200 bytes as recorded, of which the archive holds 17 (not judged)"},
		{"in part, gzip stored decoded", `,{"name":"Content-Encoding","value":"gzip"}`, `"size":5000,"text":` + strconv.Quote(body), "300",
			"5000 bytes as recorded, of which the archive holds 17 (not judged)"},
		{"mitmproxy: gzip's length beside the decoded text", `,{"name":"Content-Encoding","value":"gzip"}`, `"size":37,"text":` + strconv.Quote(body), "37", ""},
		{"no text, gzip's length as both sizes", `,{"name":"Content-Encoding","value":"gzip"}`, `"size":37`, "37",
			"37 bytes as recorded, of which the archive holds 0 (not judged)"},
		{"no text, no size", "", `"comment":"Response bodies are not included."`, "-1",
			"no text of the body in the archive, nor its size (content.text left out: Firefox without response bodies, Playwright's content: 'omit' in mode: 'minimal') (not judged)"},
		{"failed after the status line", "", `"size":17,"text":` + strconv.Quote(body) + `},"_error":"net::ERR_ABORTED","x":{`, "17",
			"a body its recorder marks as failed after the status line (_error, _failureText) (not judged)"},
		{"_error null", "", `"size":17,"text":` + strconv.Quote(body) + `},"_error":null,"x":{`, "17", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			har := `{"log":{"entries":[{"request":{"method":"POST","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens","headers":[` +
				`{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"},{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},` +
				`{"name":"Authorization","value":` + strconv.Quote(credentials) + `}],` +
				`"postData":{"mimeType":"application/vnd.atlas.2023-01-01+json","text":"{\"accessListIps\":[\"192.0.2.10\"]}"}},` +
				`"response":{"status":201,"headers":[{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"}` + tc.headers + `],` +
				`"content":{"mimeType":"application/vnd.atlas.2023-01-01+json",` + tc.content + `},"bodySize":` + tc.bodySize + `}}]}}`
			_, rep, err := checkContent(t, "x.har", har)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if !rep.OK() || rep.Conform != 1 {
					t.Errorf("report %+v: %v", rep, rep.Violations)
				}
				return
			}
			if len(rep.Violations) != 1 || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != tc.want || rep.OK() {
				t.Errorf("violations %v; want one body-size violation finding %q", rep.Violations, tc.want)
			}
		})
	}
}

// TestCheckHARRequestBodyRecordedInPart: a request's bodySize (HAR 1.2's
// postData has no size) larger than the postData held says the body was
// recorded in part, or not at all (linktoken proxy past --max-body-bytes):
// that body is reported not judged, never judged as the whole, nor as
// missing. A bodySize of the text's length, unknown (-1) or absent, or
// beside a Content-Encoding, claims nothing.
func TestCheckHARRequestBodyRecordedInPart(t *testing.T) {
	const body = `{"accessListIps":["192.0.2.10"]}` // 32 bytes
	const credentials = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
	postData := `,"postData":{"mimeType":"application/vnd.atlas.2023-01-01+json","text":` + strconv.Quote(body) + `}`
	for _, tc := range []struct {
		name, headers, postData, bodySize string
		want                              string // the body-size violation's Found; "": conforms
	}{
		{"whole", "", postData, `,"bodySize":32`, ""},
		{"size not known", "", postData, `,"bodySize":-1`, ""},
		{"no size", "", postData, "", ""},
		{"in part", "", postData, `,"bodySize":900`, "900 bytes as recorded, of which the archive holds 32 (not judged)"},
		{"none kept", "", "", `,"bodySize":900`, "900 bytes as recorded, of which the archive holds 0 (not judged)"},
		{"encoded", `,{"name":"Content-Encoding","value":"gzip"}`, postData, `,"bodySize":900`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			har := `{"log":{"entries":[{"request":{"method":"POST","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens","headers":[` +
				`{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"},{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},` +
				`{"name":"Authorization","value":` + strconv.Quote(credentials) + `}` + tc.headers + `]` + tc.postData + tc.bodySize + `},` +
				`"response":{"status":201,"headers":[{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"}],` +
				`"content":{"mimeType":"application/vnd.atlas.2023-01-01+json","size":17,"text":"{\"linkToken\":\"x\"}"}}}]}}`
			_, rep, err := checkContent(t, "x.har", har)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if tc.headers == "" && (!rep.OK() || rep.Conform != 1) {
					t.Errorf("report %+v: %v", rep, rep.Violations)
				}
				for _, v := range rep.Violations {
					if v.Rule == contract.RuleBodyTooLarge {
						t.Errorf("the body is said recorded in part: %v", v)
					}
				}
				return
			}
			if len(rep.Violations) != 1 || rep.Violations[0].Side != contract.SideRequest || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != tc.want || rep.OK() {
				t.Errorf("violations %v; want one request body-size violation finding %q", rep.Violations, tc.want)
			}
		})
	}
}
