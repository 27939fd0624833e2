package rfc9110_test

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

func TestLexicalRules(t *testing.T) {
	for _, tc := range []struct {
		s                     string
		token, token68, isHex bool
	}{
		{"", false, false, false},
		{"Digest", true, true, false},
		{"abc123", true, true, true},
		{"a!#$%&'*+-.^_`|~z", true, false, false},
		{"eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig", true, true, false},
		{"dG9rZW4=", false, true, false},
		{"a/b+c==", false, true, false},
		{"==", false, false, false},
		{"a=b", false, false, false},
		{"a b", false, false, false},
		{"a\tb", false, false, false},
		{"é", false, false, false},
		{"DEADbeef09", true, true, true},
		{"0x1", true, true, false},
		{"(x)", false, false, false},
	} {
		if got := rfc9110.IsToken(tc.s); got != tc.token {
			t.Errorf("IsToken(%q) = %v", tc.s, got)
		}
		if got := rfc9110.IsToken68(tc.s); got != tc.token68 {
			t.Errorf("IsToken68(%q) = %v", tc.s, got)
		}
		if got := rfc9110.IsHex(tc.s); got != tc.isHex {
			t.Errorf("IsHex(%q) = %v", tc.s, got)
		}
	}
}
