// Package safetext makes text safe to print: on one line, without
// terminal control sequences, and without the secrets a parse error of a
// recorded message would quote. The contract check's outputs (text, JUnit,
// the proxy's log, conform's report) and its input errors go through it.
package safetext

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line escapes what a terminal or a log reader would act on rather than
// show: control characters (line breaks, tab and ESC, which starts an ANSI
// sequence, included), the line and paragraph separators U+2028 and
// U+2029, every other character Go does not call printable, and bytes that
// are not UTF-8. Each becomes a Go escape (\n, \x1b, \u2028); printable
// text, non-ASCII letters included, is kept as it is.
func Line(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&15, 16))
		case unicode.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRuneToASCII(r) // '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// ParseError returns err with every quoted value of its message left out:
// net/http and net/textproto quote the line they could not parse ("malformed
// MIME header line: \"Authorization: Digest …\""), and that line may hold a
// credential, a link-token or a URL with a key in it. A quoted header line
// is named by its field name, and said not to be shown; any other quoted
// value is said not to be shown. An error without a quoted value is
// returned as it is; a rewritten one keeps nothing of the original, so
// nothing reaches the secret through Unwrap either.
func ParseError(err error) error {
	if err == nil {
		return nil
	}
	// net/http's "parse \"<target>\": …" says nothing a reader can act on
	// once the target is left out; say which part of the message it was.
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New("the request target does not parse: " + ParseError(ue.Err).Error())
	}
	msg := err.Error()
	if !strings.Contains(msg, `"`) {
		return err
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			b.WriteString(msg)
			break
		}
		b.WriteString(msg[:i])
		quoted, qerr := strconv.QuotedPrefix(msg[i:])
		if qerr != nil {
			b.WriteString("(the rest is not shown: it may hold a secret)")
			break
		}
		raw, _ := strconv.Unquote(quoted)
		if name, _, ok := strings.Cut(raw, ":"); ok && isFieldName(name) && strings.Contains(msg[:i], "header") {
			b.WriteString("in the " + name + " header (the line is not shown: it may hold a secret)")
		} else {
			b.WriteString("(not shown: it may hold a secret)")
		}
		msg = msg[i+len(quoted):]
	}
	return errors.New(b.String())
}

// isFieldName reports whether s can be a header field's name: short, and
// without the spaces, quotes or separators of a value.
func isFieldName(s string) bool {
	return s != "" && len(s) <= 64 && !strings.ContainsAny(s, " \t\"\\,;=()<>@[]{}?/")
}

// quotedJSON is a span of its input a jsontext error quotes: in
// backquotes, or, when the span holds white space, a backquote or what
// does not print, as strconv.Quote writes it (in double quotes, escaped).
var quotedJSON = regexp.MustCompile("`[^`]*` ?|\"(?:[^\"\\\\]|\\\\.)*\" ?")

// JSONReason is a jsontext error's reason without the input it quotes
// after a broken escape (invalid surrogate pair `\ud800abcdef` in string;
// before a line end of an indented archive, invalid surrogate pair
// "\\udcffabc\"\n" in string): inside a link-token, that is the secret.
func JSONReason(reason string) string {
	return quotedJSON.ReplaceAllString(reason, "")
}
