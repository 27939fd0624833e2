package redact_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
)

// TestRedactKeepsEveryVerdict: a redacted exchange breaks the contract by
// the same rules as the original, for every exchange derived from the
// contract and for hostile ones (a secret that is not UTF-8, a body that
// decodes past the limit, malformed credentials).
func TestRedactKeepsEveryVerdict(t *testing.T) {
	const limit = 4 << 10
	v := contract.MustNew(contract.MaxBodyBytes(limit))
	exchanges := contractCases(t)
	bomb := `{"linkToken":"` + redactSecret + `","pad":"` + strings.Repeat(" ", 2*limit) + `"}`
	for _, tc := range []struct {
		auth       string
		body       []byte
		respHeader http.Header
	}{
		{digestHdr, []byte(`{"linkToken":"abc` + "\xff" + `def"}`), nil},
		{digestHdr, []byte(`{"linkToken":"` + "\xc3" + `"}`), nil},
		{digestHdr, []byte(`{"linkToken":"` + redactSecret + "\xff" + `"}`), nil},
		{digestHdr, []byte(`{"linkToken":"` + redactSecret + `", "x":"` + "\xff" + `"}`), nil},
		{digestHdr, gzipped(t, bomb), http.Header{"Content-Encoding": {"gzip"}}},
		{digestHdr, []byte("\x1f\x8b not gzip"), http.Header{"Content-Encoding": {"gzip"}}},
		{digestHdr, []byte(bomb), nil},
		{digestHdr, []byte(`{"linkToken":""}`), nil},
		{digestHdr, []byte(`{"linkToken":["` + redactSecret + `"]}`), nil},
		{digestHdr, []byte(`{"linkToken":"` + redactSecret + `"} trailing`), nil},
		// An escape that is not JSON (RFC 8259 §8.2 leaves a lone
		// surrogate to parsers; jsontext, the check's, refuses it).
		{digestHdr, []byte(`{"linkToken":"` + redactSecret + `\ud800x"}`), nil},
		{digestHdr, []byte(`{"linkToken":"\udc00` + redactSecret + `"}`), nil},
		{`Digest response="short"`, []byte(`{"linkToken":"` + redactSecret + `"}`), nil},
		{`Bearer ` + redactSecret, []byte(`{"linkToken":"` + redactSecret + `"}`), nil},
		{`Bearer bad token`, []byte(`{"linkToken":"` + redactSecret + `"}`), nil},
		{redactSecret, []byte(`{"linkToken":"` + redactSecret + `"}`), nil},
	} {
		ex := createExchange(createBody, tc.body, http.Header{"Authorization": {tc.auth}}, tc.respHeader)
		exchanges = append(exchanges, ex)
	}
	for _, ex := range exchanges {
		before, err := v.Check(ex)
		if err != nil {
			continue // not an operation of the contract: redaction keeps no body, nothing to compare
		}
		after, err := v.Check(redact.Exchange(v, ex))
		if err != nil {
			t.Fatalf("%s: the redacted copy: %v", ex.Name(), err)
		}
		b, a := before.Violations.Rules(), after.Violations.Rules()
		slices.Sort(b)
		slices.Sort(a)
		if !slices.Equal(a, b) {
			t.Errorf("%s (%q…): rules before %v, after %v", ex.Name(), truncate(ex.Response.Body), b, a)
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40])
	}
	return string(b)
}
