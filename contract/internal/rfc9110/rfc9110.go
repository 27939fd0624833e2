// Package rfc9110 holds the few lexical rules of HTTP (RFC 9110) that both
// the contract's checks and its redaction read credentials with: the
// judge must refuse what redaction must keep malformed.
package rfc9110

import "strings"

const (
	alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	// tchar is what a token is made of (§5.6.2).
	tchar = alnum + "!#$%&'*+-.^_`|~"
	// token68char is what a token68 is made of before its padding (§11.2).
	token68char = alnum + "-._~+/"
	hexDigit    = "0123456789abcdefABCDEF"
)

// IsToken reports whether s is an RFC 9110 token (§5.6.2), as a scheme
// name is.
func IsToken(s string) bool { return s != "" && strings.Trim(s, tchar) == "" }

// IsToken68 reports whether s is an RFC 9110 token68 (§11.2), as a
// Bearer credential is: token68 characters, then any number of '='.
func IsToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	return body != "" && strings.Trim(body, token68char) == ""
}

// IsHex reports whether s is hex digits, as a digest response (RFC 7616)
// is.
func IsHex(s string) bool { return s != "" && strings.Trim(s, hexDigit) == "" }
