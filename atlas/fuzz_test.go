package atlas_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

var orgIDRule = regexp.MustCompile(`^([a-f0-9]{24})$`)

// FuzzCheckOrgID: the client's check agrees with the contract's pattern on
// every input, and a refusal is always an *InputError.
func FuzzCheckOrgID(f *testing.F) {
	for _, s := range []string{"4888442a3354817a7320eb61", "4888442A3354817A7320EB61", "", "g888442a3354817a7320eb61", "4888442a3354817a7320eb6", "4888442a3354817a7320eb61\n", "é88442a3354817a7320eb61"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := atlas.CheckOrgID(s)
		if (err == nil) != orgIDRule.MatchString(s) {
			t.Fatalf("CheckOrgID(%q) = %v, pattern match %v", s, err, orgIDRule.MatchString(s))
		}
		if err != nil && !errors.Is(err, atlas.ErrInvalidInput) {
			t.Fatalf("CheckOrgID(%q) = %v, not an input error", s, err)
		}
	})
}
