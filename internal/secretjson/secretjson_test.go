package secretjson_test

import (
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/internal/secretjson"
)

// path is what the test knows of a value: the names leading to it, "[]"
// for an item.
func child(parent, name string) string {
	if name == "" {
		return parent + "/[]"
	}
	return parent + "/" + name
}

// TestRewrite: the values at the places replace picks are replaced, every
// other byte (space, escapes, names, other values) is kept, and where data
// stops being one JSON text the copy stops, before the failing token (and
// its separator) or after the first text.
func TestRewrite(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		at         string // the path whose string values become X
		want       string
		rest       int
	}{
		{"a member", `{ "a" : "s\"1" , "b":"t"}`, "/a", `{ "a" : "X" , "b":"t"}`, -1},
		{"an item's name is empty", `{"a":["s",{"a":"t"}],"b":["u"]}`, "/a/[]", `{"a":["X",{"a":"t"}],"b":["u"]}`, -1},
		{"the text itself", ` "s" `, "", ` "X" `, -1},
		{"names are not values", `{"a":{"a":1}}`, "/a", `{"a":{"a":1}}`, -1},
		{"duplicate names and bad UTF-8 are read", "{\"a\":\"\xff\",\"a\":\"t\"}", "/a", `{"a":"X","a":"X"}`, -1},
		{"a syntax error stops the copy", `{"a":"s","b":}`, "/a", `{"a":"X","b"`, 12},
		{"a second text stops the copy", `{"a":"s"} {"a":"t"}`, "/a", `{"a":"X"}`, 9},
		{"space after the text is kept", "{\"a\":\"s\"}\n", "/a", "{\"a\":\"X\"}\n", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replace := func(at string, tok jsontext.Token, raw []byte) (string, bool) {
				if raw[0] != '"' || raw[len(raw)-1] != '"' || tok.Kind() != '"' {
					t.Errorf("raw %q, token %v: not a string's", raw, tok)
				}
				return "X", at == tc.at
			}
			out, rest := secretjson.Rewrite([]byte(tc.data), "", child, replace)
			if string(out) != tc.want || rest != tc.rest {
				t.Errorf("got %q, %d; want %q, %d", out, rest, tc.want, tc.rest)
			}
		})
	}
}

// TestAsBroken: a replacement breaks JSON's rules as the string it
// replaces did, and only then.
func TestAsBroken(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`"secret"`, "REDACTED"},
		{"\"secr\xffet\"", "REDACTE\xff"},
		{`"secret\ud800"`, `REDACTE\ud800`},
		{`"\udc00secret"`, `REDACTE\ud800`},
		{`"\ud83d\ude00"`, "REDACTED"},
	} {
		if got := secretjson.AsBroken("REDACTED", []byte(tc.raw)); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.raw, got, tc.want)
		}
	}
	if got := secretjson.AsBroken("", []byte("\"\xff\"")); got != "" {
		t.Errorf("an empty replacement became %q", got)
	}
}
