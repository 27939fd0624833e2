package safetext_test

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain → text, é", "plain → text, é"},
		{"a\r\nb\tc", `a\r\nb\tc`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"x\u2028y\u2029z\u0085", `x\u2028y\u2029z\u0085`},
		{"bad \xff byte", `bad \xff byte`},
		{"\x7f", `\x7f`},
	} {
		if got := safetext.Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseErrorShowsNoLine: what net/http says of a message it cannot
// parse quotes the line; the rewritten error names the header and shows
// none of it.
func TestParseErrorShowsNoLine(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct{ raw, want string }{
		{"GET / HTTP/1.1\r\nAuthorization: Digest response=\"" + secret + "\"\x01\r\n\r\n", "in the Authorization header"},
		{"GET / HTTP/1.1\r\nX-Link: Bearer " + secret + "\r\n no colon\r\n" + secret + "\r\n\r\n", "not shown"},
		{"GET /?access_token=" + secret + "\r\n\r\n", "not shown"},
		{"GET /?access_token=" + secret + " HTTP/9\r\n\r\n", "not shown"},
	} {
		_, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.raw)))
		if err == nil {
			t.Fatalf("%q parsed", tc.raw)
		}
		got := safetext.ParseError(err)
		if strings.Contains(got.Error(), secret) || !strings.Contains(got.Error(), tc.want) {
			t.Errorf("%v\nbecame %v; want no secret and %q", err, got, tc.want)
		}
	}
	plain := errors.New("unexpected EOF")
	if safetext.ParseError(plain) != plain {
		t.Error("an error without a quoted value is rewritten")
	}
}
