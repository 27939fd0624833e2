package recorded_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// TestReaderErrorsQuoteNoSecret: an input error names the place and the
// problem, but quotes neither a URL (userinfo, query) nor a header line,
// which net/http and net/url quote whole.
func TestReaderErrorsQuoteNoSecret(t *testing.T) {
	const resp = "HTTP/1.1 204 No Content\r\n\r\n"
	harWithURL := func(u string) string {
		b, _ := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{
			map[string]any{"request": map[string]any{"method": "GET", "url": u}}}}})
		return string(b)
	}
	for _, tc := range []struct {
		name, input, want string
		har               bool
	}{
		{"a request line", "GET /x?access_token=SECRET HTTP/1.1 junk\r\n\r\n" + resp, "malformed HTTP", false},
		{"a request target", "GET http://user:SECRET@host:port/ HTTP/1.1\r\n\r\n" + resp, "the request target does not parse: invalid port", false},
		{"a header line", "GET / HTTP/1.1\r\nAuthorization Digest response=\"SECRET\"\r\n\r\n" + resp, "malformed MIME header", false},
		{"a response header line", "GET / HTTP/1.1\r\n\r\nHTTP/1.1 200 OK\r\nBearer SECRET\r\n\r\n", "malformed MIME header", false},
		{"a Content-Length", "GET / HTTP/1.1\r\nContent-Length: SECRET\r\n\r\n" + resp, "bad Content-Length", false},
		{"a HAR URL's userinfo and query", harWithURL("https://user:SECRET@cloud.mongodb.com/%zz?access_token=SECRET"), "invalid URL escape", true},
		{"a HAR URL with a control character", harWithURL("https://user:SECRET@cloud.mongodb.com/\x7f?access_token=SECRET"), "invalid control character", true},
		// jsontext quotes the text after a broken escape: in a
		// link-token, the secret. (A lone surrogate alone is read, as
		// surrogateescape's byte: TestLoneSurrogateEscapes; in an entry
		// that is not UTF-8 as well, the archive is refused there.)
		{"a lone surrogate in a HAR string", `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},` +
			`"response":{"status":200,"content":{"text":"{\"linkToken\":\"\ud800SECRET\"}"}},"comment":"` + "\xff" + `"}]}}`, "invalid surrogate pair", true},
		// … and quotes it in double quotes, which a backquoted span's
		// stripping missed, when it holds white space or a backquote:
		// mitmproxy's indented archive, a lone surrogate near a
		// token's end.
		{"a lone surrogate before a line end", "{\n    \"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"https://x/\"},\n" +
			"        \"response\": {\"status\": 200, \"content\": {\"text\": \"\\udcffSECR\"\n}}, \"comment\": \"\xff\"}]}}", "invalid surrogate pair", true},
		{"a lone surrogate before a backquote", `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},` +
			"\"response\":{\"status\":200,\"content\":{\"text\":\"\\ud800SECR`T\"}},\"comment\":\"\xff\"}]}}", "invalid surrogate pair", true},
		{"a broken escape in a HAR string", `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},` +
			`"response":{"status":200,"content":{"text":"{\"linkToken\":\"\uSECRET\"}"}}}]}}`, "invalid escape sequence", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.har {
				err = recorded.ReadHAR(strings.NewReader(tc.input), "x.har", func(*contract.Exchange) error { return nil })
			} else {
				err = recorded.ReadHTTPExchanges(strings.NewReader(tc.input), "x.http", func(*contract.Exchange) error { return nil })
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "SECR") {
				t.Fatalf("got %v; want an error saying %q, quoting no secret", err, tc.want)
			}
		})
	}
}
