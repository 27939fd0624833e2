// Package rfc9110 holds the few lexical rules of HTTP (RFC 9110) that the
// contract's checks, its redaction and the client's digest transport read
// credentials and challenges with: the judge must refuse what redaction
// must keep malformed, and accept only challenges the client can answer;
// and which statuses are interim, for the readers of exchanges that must
// not take a 1xx for the answer.
package rfc9110

import "strings"

const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// The characters of each rule, as tables: the checks call them per
// credential and per character of a challenge, so a rule costs a lookup
// per byte.
var (
	tchar       = chars(alnum + "!#$%&'*+-.^_`|~") // a token's (§5.6.2)
	token68char = chars(alnum + "-._~+/")          // a token68's before its padding (§11.2)
	hexDigit    = chars("0123456789abcdefABCDEF")
)

func chars(set string) (t [256]bool) {
	for i := range len(set) {
		t[set[i]] = true
	}
	return t
}

// madeOf reports whether s is non-empty and made of the characters of t.
func madeOf(s string, t *[256]bool) bool {
	for i := range len(s) {
		if !t[s[i]] {
			return false
		}
	}
	return s != ""
}

// IsToken reports whether s is an RFC 9110 token (§5.6.2), as a scheme
// name is.
func IsToken(s string) bool { return madeOf(s, &tchar) }

// IsToken68 reports whether s is an RFC 9110 token68 (§11.2), as a
// Bearer credential is: token68 characters, then any number of '='.
func IsToken68(s string) bool { return madeOf(strings.TrimRight(s, "="), &token68char) }

// IsHex reports whether s is hex digits, as a digest response (RFC 7616)
// is.
func IsHex(s string) bool { return madeOf(s, &hexDigit) }

// Informational reports whether status is an interim response (1xx, §15.2)
// that comes before the answer to a request; 101 Switching Protocols ends
// the exchange, as net/http reads it.
func Informational(status int) bool {
	return status >= 100 && status <= 199 && status != 101
}
