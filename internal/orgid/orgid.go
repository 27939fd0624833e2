// Package orgid holds the rule for an organization id that MongoDB's
// published v2 specification writes, ^[a-f0-9]{24}$, in one place: the
// client's input check and the in-memory server's organizations
// (atlastest.WithOrganizations) apply it. The contract also takes upper-case
// hex (assumed: the Atlas CLI sends it as given), so the client is stricter
// than the contract on its own account, and suggests the lower-case form.
package orgid

import (
	"fmt"
	"strings"
)

// Valid reports whether s is 24 lower-case hexadecimal digits.
func Valid(s string) bool { return Problem(s) == "" }

// Problem says what is wrong with s as an organization id, or "" when
// nothing is. For upper-case hex it suggests the lower-case form.
func Problem(s string) string {
	if s == "" {
		return "empty: want 24 lower-case hexadecimal digits (e.g. 4888442a3354817a7320eb61)"
	}
	// Characters, not bytes: a person counts é once.
	chars := []rune(s)
	if len(chars) != 24 {
		return fmt.Sprintf("%q has %d characters: want 24 lower-case hexadecimal digits", s, len(chars))
	}
	upper := false
	for i, r := range chars {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
		case r >= 'A' && r <= 'F':
			upper = true
		default:
			return fmt.Sprintf("%q: character %q at position %d is not a hexadecimal digit", s, r, i)
		}
	}
	if upper {
		return fmt.Sprintf("%q has upper-case letters: MongoDB's specification writes organization ids in lower case, and this client sends them so (did you mean %q?)", s, strings.ToLower(s))
	}
	return ""
}
