package orgid

import (
	"regexp"
	"strings"
	"testing"
)

// publishedPattern is the orgId pattern of MongoDB's published v2 specification.
var publishedPattern = regexp.MustCompile(`^([a-f0-9]{24})$`)

func TestProblem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"4888442a3354817a7320eb61", ""},
		{"", "empty"},
		{"4888442a3354817a7320eb6", "23 characters"},
		{"4888442A3354817a7320eb61", `did you mean "4888442a3354817a7320eb61"`},
		{"g888442a3354817a7320eb61", "position 0 is not a hexadecimal digit"},
		// Characters, not bytes: é is one character of two bytes.
		{"4888442a3354817a7320eb6é", `character 'é' at position 23`},
		{"488884é2a3354817a7320ab6", `character 'é' at position 6`},
		{"a88884é2a3354817a7320ag6", `character 'é' at position 6`},
		{"éé8442a3354817a7320eb61", "23 characters"},
	}
	for _, tt := range tests {
		got := Problem(tt.in)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("Problem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzValidMatchesThePublishedPattern(f *testing.F) {
	for _, s := range []string{"4888442a3354817a7320eb61", "4888442A3354817a7320eb61", "", "é88442a3354817a7320eb61", "4888442a3354817a7320eb61\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Valid(s) != publishedPattern.MatchString(s) {
			t.Fatalf("Valid(%q) = %v, the published pattern says %v", s, Valid(s), publishedPattern.MatchString(s))
		}
	})
}
