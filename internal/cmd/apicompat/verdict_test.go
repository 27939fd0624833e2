package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestBumpAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, next string
		want       string // "" when the bump allows no break
	}{
		{"v0.1.0", "v0.2.0", "before v1, v0.2.0 is a new minor version after v0.1.0"},
		{"v0.1.3", "v0.1.4", ""},
		{"v0.9.0", "v1.0.0", "v1.0.0 is a new major version after v0.9.0"},
		{"v1.2.3", "v1.3.0", ""},
		{"v1.2.3", "v1.2.4", ""},
		{"v1.2.3", "v2.0.0", "v2.0.0 is a new major version after v1.2.3"},
		{"v1.2.3", "", ""},            // HEAD is no release
		{"v0.2.0", "v0.1.0", ""},      // not after the base
		{"HEAD~3", "v1.0.0", ""},      // a revision, not a release
		{"v1.0.0", "v2.0.0-rc.1", ""}, // a pre-release is no release
		{"v0.10.0", "v0.11.0", "before v1, v0.11.0 is a new minor version after v0.10.0"},
	}
	for _, tt := range tests {
		if got := bumpAllows(tt.base, tt.next); got != tt.want {
			t.Errorf("bumpAllows(%q, %q) = %q, want %q", tt.base, tt.next, got, tt.want)
		}
	}
}

// TestIsRelease: only a full vMAJOR.MINOR.PATCH makes a release.
func TestIsRelease(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{
		"v0.1.0": true, "v1.2.3": true, "v10.0.11": true,
		"": false, "1.2.3": false, "v1.2": false, "v1": false, "v01.2.3": false,
		"v1.2.3-rc.1": false, "v1.2.3+build.5": false, "HEAD~1": false,
	} {
		if got := isRelease(tag); got != want {
			t.Errorf("isRelease(%q) = %v, want %v", tag, got, want)
		}
	}
}

// TestVerdict: the summary line comes first when there is more than one
// change, so that one edit breaking sixty places reads as one line; each
// change is then listed; accepted and allowed changes pass, and say so.
func TestVerdict(t *testing.T) {
	t.Parallel()
	var many []finding
	for i := range 60 {
		place := fmt.Sprintf("POST /op%d", i%7)
		key := fmt.Sprintf("%s: property `note%d` became required [new-required-request-property]", place, i)
		many = append(many, finding{key: key, line: "openapi/linktoken.yaml:1: error: " + key, place: place})
	}
	one := []finding{{key: "GET /a: gone [api-path-removed]", line: "x:1: error: GET /a: gone [api-path-removed]", place: "GET /a"}}
	accepted := func(entries ...acceptedBreak) *acceptedBreaks {
		return &acceptedBreaks{base: "v0.1.0", entries: entries, used: map[int]bool{}}
	}
	tests := []struct {
		name      string
		breaking  []finding
		accepted  *acceptedBreaks
		allowedBy string
		wantPass  bool
		wantFirst string // the first line
		want      []string
		notWant   []string
	}{
		{
			name: "none", accepted: accepted(), wantPass: true,
			wantFirst: "api-diff: C against v0.1.0: no breaking change",
		},
		{
			name: "one", breaking: one, accepted: accepted(),
			wantFirst: one[0].line,
			want:      []string{"api-diff: C against v0.1.0: 1 breaking change\n", "accept each change in .ci/accepted-breaks.yaml"},
		},
		{
			name: "sixty in seven places", breaking: many, accepted: accepted(),
			wantFirst: "api-diff: 60 breaking changes in 7 places: POST /op0 (9), POST /op1 (9), POST /op2 (9), POST /op3 (9), POST /op4 (8), and 2 more",
			want:      []string{many[59].line + "\n", "api-diff: C against v0.1.0: 60 breaking changes\n"},
		},
		{
			name: "allowed by the release's version", breaking: many, accepted: accepted(), allowedBy: "v1.0.0 is a new major version after v0.1.0", wantPass: true,
			want: []string{"api-diff: C against v0.1.0: 60 breaking changes, allowed: v1.0.0 is a new major version after v0.1.0\n"},
		},
		{
			name: "accepted", breaking: one, wantPass: true,
			accepted: accepted(acceptedBreak{Base: "v0.1.0", Check: "api-diff", Change: one[0].key, Reason: "nobody called it"}),
			want: []string{
				one[0].line + " (accepted in .ci/accepted-breaks.yaml: nobody called it)\n",
				"api-diff: C against v0.1.0: 1 breaking change, each accepted in .ci/accepted-breaks.yaml\n",
			},
		},
		{
			name: "accepted against another release, or by another check: not accepted", breaking: one,
			accepted: accepted(
				acceptedBreak{Base: "v0.0.9", Check: "api-diff", Change: one[0].key, Reason: "old"},
				acceptedBreak{Base: "v0.1.0", Check: "go-api-diff", Change: one[0].key, Reason: "other check"},
			),
			want: []string{
				`accepts "GET /a: gone [api-path-removed]" against v0.0.9, not v0.1.0: it no longer applies; delete it`,
				"api-diff: C against v0.1.0: 1 breaking change\n",
			},
		},
		{
			name: "compared with a revision, not a release: no entry applies, none is listed", breaking: one,
			accepted: &acceptedBreaks{base: "HEAD~1", used: map[int]bool{}, entries: []acceptedBreak{{Base: "v0.1.0", Check: "api-diff", Change: one[0].key, Reason: "r"}}},
			want:     []string{"api-diff: C against v0.1.0: 1 breaking change\n"},
			notWant:  []string{"accepts"},
		},
		{
			name: "one of two accepted", breaking: append(one, many[0]),
			accepted: accepted(acceptedBreak{Base: "v0.1.0", Check: "api-diff", Change: one[0].key, Reason: "r"}),
			want:     []string{"api-diff: C against v0.1.0: 1 breaking change (and 1 accepted)\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bytes.Buffer
			out := &outcome{compared: "C against v0.1.0", noun: "breaking change", breaking: tt.breaking}
			if pass := verdict(&w, "api-diff", out, tt.accepted, tt.allowedBy); pass != tt.wantPass {
				t.Errorf("pass %v, want %v:\n%s", pass, tt.wantPass, &w)
			}
			if tt.wantFirst != "" {
				if first, _, _ := strings.Cut(w.String(), "\n"); first != tt.wantFirst {
					t.Errorf("first line %q, want %q", first, tt.wantFirst)
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(w.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, &w)
				}
			}
			for _, bad := range tt.notWant {
				if strings.Contains(w.String(), bad) {
					t.Errorf("output holds %q:\n%s", bad, &w)
				}
			}
		})
	}
}

func TestLoadAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
		wantErr       string
		wantEntries   int
	}{
		{name: "no file"},
		{name: "empty", content: "# nothing accepted\n"},
		{name: "empty list", content: "accepted: []\n"},
		{
			name:        "an entry",
			content:     "accepted:\n  - base: v0.1.0\n    check: go-api-diff\n    change: \"./atlas.X: removed\"\n    reason: unused since v0.0.1\n",
			wantEntries: 1,
		},
		{
			name:    "no reason",
			content: "accepted:\n  - base: v0.1.0\n    check: go-api-diff\n    change: \"./atlas.X: removed\"\n",
			wantErr: `entry 1: no reason`,
		},
		{
			name:    "no release",
			content: "accepted:\n  - base: HEAD~1\n    check: go-api-diff\n    change: x\n    reason: r\n",
			wantErr: `entry 1: base "HEAD~1" is not a release`,
		},
		{
			name:    "unknown check",
			content: "accepted:\n  - base: v0.1.0\n    check: lint\n    change: x\n    reason: r\n",
			wantErr: `entry 1: check "lint" is neither api-diff nor go-api-diff`,
		},
		{
			name:    "unknown field",
			content: "accepted:\n  - base: v0.1.0\n    check: api-diff\n    change: x\n    reason: r\n    until: v2.0.0\n",
			wantErr: "field until not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.content != "" || tt.name != "no file" {
				writeFile(t, filepath.Join(root, acceptedPath), []byte(tt.content))
			}
			a, err := loadAccepted(root, "v0.1.0")
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), acceptedPath) {
					t.Fatalf("error %v, want one naming %s and %q", err, acceptedPath, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case len(a.entries) != tt.wantEntries:
				t.Fatalf("%d entries, want %d", len(a.entries), tt.wantEntries)
			}
		})
	}
}
