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

// CheckOrgID applies MongoDB's published orgId rule, ^[a-f0-9]{24}$, and
// says what is wrong; for upper-case hex, which the contract takes too
// (assumed) but the published rule does not, it suggests the lower-case form.
func CheckOrgID(orgID string) error {
	if problem := orgid.Problem(orgID); problem != "" {
		return &InputError{Field: "orgId", Index: -1, Value: orgID, Rule: problem}
	}
	return nil
}

// CheckAccessList applies the contract's access list rule (an IPv4 or IPv6
// address, or a CIDR block: the rule the in-memory server uses too) to every
// entry, and names the first offending entry's index and value.
//
// It also refuses, on this client's own account, a CIDR block with host bits
// set ("10.0.0.1/24"). The contract accepts such a block, since no MongoDB
// document says what the service does with it; but it almost always means a
// single address or a mistyped block, so the error names the block that was
// probably meant. Send that block, or the generated client, to pass one as is.
func CheckAccessList(entries []string) error {
	for i, e := range entries {
		if err := accesslist.CheckEntry(e); err != nil {
			return &InputError{Field: "accessListIps", Index: i, Value: e, Rule: err.Error()}
		}
		if masked, ok := accesslist.HostBits(e); ok {
			return &InputError{Field: "accessListIps", Index: i, Value: e, Rule: fmt.Sprintf(
				"%q has host bits set: did you mean %s? (refused by this client, not by the contract)", e, masked)}
		}
	}
	return nil
}
