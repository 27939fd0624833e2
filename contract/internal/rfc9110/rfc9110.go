// Package rfc9110 holds the few lexical rules of HTTP (RFC 9110) that both
// the contract's checks and its redaction read credentials with: the
// judge must refuse what redaction must keep malformed.
package rfc9110

import "strings"

// IsToken reports whether s is an RFC 9110 token (§5.6.2), as a scheme
// name is.
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// IsToken68 reports whether s is an RFC 9110 token68 (§11.2), as a
// Bearer credential is.
func IsToken68(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// IsHex reports whether s is hex digits, as a digest response (RFC 7616)
// is.
func IsHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}
