package rfc9110_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

func TestSplitChallenges(t *testing.T) {
	const digest = `Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`
	for _, tc := range []struct {
		name, value string
		want        []string
	}{
		{"empty", "", nil},
		{"one Digest", digest, []string{digest}},
		{"Bearer then Digest", `Bearer realm="x", ` + digest, []string{`Bearer realm="x"`, digest}},
		{"Digest then Bearer", digest + `, Bearer realm="x"`, []string{digest, `Bearer realm="x"`}},
		{"spaces round =", `Bearer realm = "x" , ` + digest, []string{`Bearer realm = "x"`, digest}},
		{"token68 then Digest", `Negotiate abc==, ` + digest, []string{`Negotiate abc==`, digest}},
		{"bare schemes", `Basic, Bearer`, []string{"Basic", "Bearer"}},
		{"quoted comma and scheme-like text", `Bearer realm="a, Digest realm=b, nonce=c"`, []string{`Bearer realm="a, Digest realm=b, nonce=c"`}},
		{"escaped quote", `Bearer realm="a\", Digest x", Digest realm="r"`, []string{`Bearer realm="a\", Digest x"`, `Digest realm="r"`}},
		{"no spaces after commas", `Digest realm="r",nonce="n",Bearer`, []string{`Digest realm="r",nonce="n"`, "Bearer"}},
		{"empty elements", ` , Bearer realm="x",, ,Digest realm="r" , `, []string{`Bearer realm="x"`, `Digest realm="r"`}},
		{"only parameters", `realm="x", nonce="y"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rfc9110.SplitChallenges(tc.value); !slices.Equal(got, tc.want) {
				t.Errorf("SplitChallenges(%q)\n got %q\nwant %q", tc.value, got, tc.want)
			}
		})
	}
}

// FuzzSplitChallenges: every challenge is a piece of the value, in order
// and without overlap, that starts with a scheme (a token ending at a
// space, a comma or the end) and has no surrounding space.
func FuzzSplitChallenges(f *testing.F) {
	const tchars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-.^_`|~"
	for _, seed := range []string{
		`Bearer realm="x", Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`,
		`Negotiate abc==, Digest realm = "r" , nonce="n"`,
		`Bearer realm="a\", Digest x", Digest realm="r"`,
		`"unterminated, Digest`, `,,=,`, "\tBasic\t,",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		rest := value
		for _, c := range rfc9110.SplitChallenges(value) {
			i := strings.Index(rest, c)
			if i < 0 {
				t.Fatalf("challenge %q is not in order in %q", c, value)
			}
			rest = rest[i+len(c):]
			scheme := c[:len(c)-len(strings.TrimLeft(c, tchars))]
			next, _ := utf8.DecodeRuneInString(c[len(scheme):])
			if !rfc9110.IsToken(scheme) || next != utf8.RuneError && next != ',' && !unicode.IsSpace(next) || strings.TrimSpace(c) != c {
				t.Fatalf("challenge %q of %q does not start with a scheme or is not trimmed", c, value)
			}
		}
	})
}
