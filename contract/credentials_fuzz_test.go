package contract

import (
	"testing"

	"github.com/icholy/digest"
)

// FuzzDigestFastNeverLaxer: whatever digestFast vouches for, the parser the
// server uses (github.com/icholy/digest) parses, into parameters that pass
// the same rules.
func FuzzDigestFastNeverLaxer(f *testing.F) {
	for _, s := range []string{
		`Digest username="0123abcd", realm="MMS Public API", nonce="bm9uY2UtMDAwMQ==", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="Y25vbmNl"`,
		`digest username="u", realm="r", nonce="n", uri="/", response="6629fae49393a05397450978507c4ef1"`,
		`Digest username="u", realm="r", nonce="n", uri="/", algorithm=SHA-256, response="6629fae49393a05397450978507c4ef16629fae49393a05397450978507c4ef1", qop=auth, nc=7fffffff, cnonce="c"`,
		`Digest username="u\"x", realm="r", nonce="n", uri="/", response="6629fae49393a05397450978507c4ef1"`,
		`Digest username="u",realm="r",nonce="n",uri="/",response="6629fae49393a05397450978507c4ef1"  `,
		`Digest  username=u, realm=r, nonce=n, uri=x, response=6629fae49393a05397450978507c4ef1, nc=80000000, qop=auth, cnonce=c`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if !digestFast(value) {
			return
		}
		c, err := digest.ParseCredentials(value)
		if err != nil {
			t.Fatalf("digestFast vouches for %q, which icholy/digest does not parse: %v", value, err)
		}
		if p := digestFieldsProblem(c.Username, c.Realm, c.Nonce, c.URI, c.Response, c.Algorithm, c.QOP, c.Cnonce, c.Nc > 0); p != "" {
			t.Fatalf("digestFast vouches for %q; parsed, it is %s", value, p)
		}
	})
}
