package linktoken

import (
	"fmt"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/accesslist"
)

// InputError is input the client refused before sending a byte. It matches
// ErrInvalidInput with errors.Is.
type InputError struct {
	// Field is "orgId" or "accessListIps".
	Field string
	// Index is the position of the offending access list entry, or -1.
	Index int
	// Value is the offending value (neither an org id nor an address is secret).
	Value string
	// Rule says what is wrong and, where it can, what was meant.
	Rule string
}

// Error names the field, the position and the rule.
func (e *InputError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("linktoken: invalid %s[%d]: %s", e.Field, e.Index, e.Rule)
	}
	return fmt.Sprintf("linktoken: invalid %s: %s", e.Field, e.Rule)
}

// Is makes every InputError match ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// CheckOrgID applies the contract's orgId rule, ^[a-f0-9]{24}$, and says what
// is wrong; for upper-case hex it suggests the lower-case form.
func CheckOrgID(orgID string) error {
	bad := func(rule string, args ...any) error {
		return &InputError{Field: "orgId", Index: -1, Value: orgID, Rule: fmt.Sprintf(rule, args...)}
	}
	if orgID == "" {
		return bad("empty: want 24 lower-case hexadecimal digits (e.g. 4888442a3354817a7320eb61)")
	}
	if len(orgID) != 24 {
		return bad("%q has %d characters: want 24 lower-case hexadecimal digits", orgID, len(orgID))
	}
	upper := false
	for i, r := range orgID {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
		case r >= 'A' && r <= 'F':
			upper = true
		default:
			return bad("%q: character %q at position %d is not a hexadecimal digit", orgID, r, i)
		}
	}
	if upper {
		return bad("%q has upper-case letters: the API takes lower case only (did you mean %q?)", orgID, strings.ToLower(orgID))
	}
	return nil
}

// CheckAccessList applies the access list rule (internal/accesslist, the same
// rule the contract and the in-memory server use) to every entry, and names
// the first offending entry's index and value.
func CheckAccessList(entries []string) error {
	for i, e := range entries {
		if err := accesslist.CheckEntry(e); err != nil {
			return &InputError{Field: "accessListIps", Index: i, Value: e, Rule: err.Error()}
		}
	}
	return nil
}
