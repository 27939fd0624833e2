package proxy

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestRecordingBlanksSecretsUnderAnyName: a link-token under another case
// of its name, or in a body whose status declares no secret (a 401, a
// 500), is not recorded in clear, at any depth.
func TestRecordingBlanksSecretsUnderAnyName(t *testing.T) {
	const secret = "c2VjcmV0LXRoYXQtbXVzdC1ub3QtYmUtcmVjb3JkZWQ"
	for _, tc := range []struct {
		name   string
		status int
		ct     string
		body   string
	}{
		{"another case on a 201", 201, testMedia, `{"LinkToken":"` + secret + `"}`},
		{"upper case on a 201", 201, testMedia, `{"linkToken":"REDACTED","LINKTOKEN":"` + secret + `"}`},
		{"a 401 echoing one", 401, "application/json", `{"error":401,"detail":"x","linkToken":"` + secret + `"}`},
		{"a 500 with one nested", 500, "application/json", `{"error":500,"detail":{"request":{"linktoken":"` + secret + `"}}}`},
		{"a 500 that is not JSON", 500, "application/json", `{"linkToken":"` + secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(upstream.Close)
			path := filepath.Join(t.TempDir(), "traffic.har")
			har, err := CreateHAR(path, "test")
			if err != nil {
				t.Fatal(err)
			}
			p, addr := serving(t, upstream.URL, Config{HAR: har})
			postCreate(t, addr).Body.Close()
			// The answer goes out before the exchange is counted, and it is
			// counted before it is recorded: wait for the archive itself.
			want := []byte(`"status":` + strconv.Itoa(tc.status))
			var data []byte
			waitFor(func() bool {
				data, _ = os.ReadFile(path)
				return p.Stats().Checked > 0 && bytes.Contains(data, want)
			})
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("the archive holds the secret:\n%s", data)
			}
			if !bytes.Contains(data, want) {
				t.Errorf("the archive lacks the exchange:\n%s", data)
			}
		})
	}
}

// TestBlankSecretMembers: the proxy's own blanking keeps every byte but a
// secret's value (every string in it), under any case of its name, and
// replaces whole a body that is not one JSON text but names a secret, a
// second text after the first included (a client may read either).
func TestBlankSecretMembers(t *testing.T) {
	names := map[string]bool{"linktoken": true}
	notJSON := func(n int) string {
		return "<" + strconv.Itoa(n) + " bytes redacted: not JSON, and they name a secret>"
	}
	for _, tc := range []struct{ name, body, want string }{
		{"any case, any depth", `{"a":[{"LINKTOKEN":"s"}], "linkToken" : "t"}`, `{"a":[{"LINKTOKEN":"REDACTED"}], "linkToken" : "REDACTED"}`},
		{"every string inside one", `{"LinkToken":["s",{"a":"t"}],"b":"u"}`, `{"LinkToken":["REDACTED",{"a":"REDACTED"}],"b":"u"}`},
		{"a value that is no string is kept", `{"linkToken":7}`, `{"linkToken":7}`},
		{"no secret's name: kept as it is", `{"a":"s"`, `{"a":"s"`},
		{"not JSON", `{"linkToken":"s"`, notJSON(16)},
		{"a second text", `{"a":1} {"linkToken":"s"}`, notJSON(25)},
		// What redact.Exchange left breaking JSON's rules as the secret
		// did still does.
		{"a secret that is not UTF-8", "{\"linkToken\":\"REDACTE\xff\"}", "{\"linkToken\":\"REDACTE\xff\"}"},
		{"a secret with a lone surrogate", `{"linkToken":"REDACTE\ud800"}`, `{"linkToken":"REDACTE\ud800"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := blankSecretMembers([]byte(tc.body), names); string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestSecretNamesReadEverySchema: a secret declared inline under a path,
// not only one under components, is one the recorder blanks.
func TestSecretNamesReadEverySchema(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  sessionKey: {type: string, format: password}
                  items:
                    type: array
                    items: {type: object, properties: {innerToken: {type: string, format: password}}}
components:
  schemas:
    Link: {type: object, properties: {LinkToken: {type: string, format: password}, name: {type: string}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := secretNames(doc)
	for _, want := range []string{"sessionkey", "innertoken", "linktoken"} {
		if !got[want] {
			t.Errorf("%q is not among the secret names %v", want, got)
		}
	}
	if got["name"] || got["items"] {
		t.Errorf("a plain property is taken for a secret: %v", got)
	}
}
