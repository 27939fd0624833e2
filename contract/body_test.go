package contract_test

import (
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestMalformedJSONIsNotQuoted: the json violation of a body that does not
// parse says what is wrong and where, but quotes none of the body: the
// JSON library's reason quotes the text after a broken escape, which in a
// link-token is the secret itself.
func TestMalformedJSONIsNotQuoted(t *testing.T) {
	for _, body := range []string{
		`{"linkToken":"\ud800SECRET"}`,
		`{"linkToken":"ab\ud83dSECRET"}`,
		`{"linkToken":"\uSECR"}`,
		`{"linkToken":"\udc00SECRET"}`,
		// Quoted in double quotes by the library, for the line end or
		// backquote in the span it quotes.
		"{\"linkToken\":\"\\ud800SECR\"\n}",
		"{\"linkToken\":\"\\ud800SEC`R\"}",
	} {
		res, err := contract.MustNew().Check(createExchange(createBody, []byte(body), nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		s := res.Violations.Error()
		if len(res.Violations) != 1 || res.Violations[0].Rule != contract.RuleJSON || !strings.Contains(s, " at byte ") {
			t.Errorf("%s: %v; want one %s violation saying where", body, res.Violations, contract.RuleJSON)
		}
		if strings.Contains(s, "SEC") {
			t.Errorf("%s: the violation quotes the body: %s", body, s)
		}
	}
}
