package atlas

import (
	"fmt"

	"github.com/seed-5c49e0d7/linktoken/internal/accesslist"
	"github.com/seed-5c49e0d7/linktoken/internal/orgid"
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

// CheckOrgID applies the contract's orgId rule, ^[a-f0-9]{24}$ (the rule
// package atlastest's in-memory server applies too), and says what is wrong;
// for upper-case hex it suggests the lower-case form.
func CheckOrgID(orgID string) error {
	if problem := orgid.Problem(orgID); problem != "" {
		return &InputError{Field: "orgId", Index: -1, Value: orgID, Rule: problem}
	}
	return nil
}

// CheckAccessList applies the access list rule (an IPv4 or IPv6 address, or a
// CIDR block with zero host bits: the contract's ip-or-cidr format, which the
// in-memory server applies too) to every entry, and names the first offending
// entry's index and value.
func CheckAccessList(entries []string) error {
	for i, e := range entries {
		if err := accesslist.CheckEntry(e); err != nil {
			return &InputError{Field: "accessListIps", Index: i, Value: e, Rule: err.Error()}
		}
	}
	return nil
}
