package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"
)

// acceptedPath is the file, from the module root, that lists the breaking
// changes made on purpose. It is the only way to let a break through short of
// a new major version: a statement in the repository, with its reason, that
// review sees, never a flag. Each entry names the release it breaks, so it
// stops applying once that release is no longer the one compared with, and the
// release step refuses to release while an entry for an older release is left.
const acceptedPath = ".ci/accepted-breaks.yaml"

// acceptedBreak is one entry of acceptedPath.
type acceptedBreak struct {
	// Base is the release the change breaks: the previous release when it was made.
	Base string `yaml:"base"`
	// Check is the check that reports it: api-diff or go-api-diff.
	Check string `yaml:"check"`
	// Change is the change as the check prints it, without the position
	// before it (file:line: level:), which moves with every edit.
	Change string `yaml:"change"`
	// Reason says why breaking it is right, for the reviewer and the changelog.
	Reason string `yaml:"reason"`
}

// acceptedBreaks is acceptedPath as read for one comparison.
type acceptedBreaks struct {
	base    string // the base compared with
	entries []acceptedBreak
	used    map[int]bool
}

// loadAccepted reads acceptedPath under root; a missing file accepts nothing.
// An entry without a reason, or naming no release or an unknown check, makes
// the file unusable: nothing it says is taken.
func loadAccepted(root, base string) (*acceptedBreaks, error) {
	a := &acceptedBreaks{base: base, used: map[int]bool{}}
	b, err := os.ReadFile(filepath.Join(root, acceptedPath))
	if errors.Is(err, fs.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	var file struct {
		Accepted []acceptedBreak `yaml:"accepted"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", acceptedPath, err)
	}
	for i, e := range file.Accepted {
		switch {
		case !isRelease(e.Base):
			return nil, fmt.Errorf("%s: entry %d: base %q is not a release (vMAJOR.MINOR.PATCH)", acceptedPath, i+1, e.Base)
		case !slices.Contains([]string{"api-diff", "go-api-diff"}, e.Check):
			return nil, fmt.Errorf("%s: entry %d: check %q is neither api-diff nor go-api-diff", acceptedPath, i+1, e.Check)
		case e.Change == "":
			return nil, fmt.Errorf("%s: entry %d: no change", acceptedPath, i+1)
		case e.Reason == "":
			return nil, fmt.Errorf("%s: entry %d: no reason: say why breaking %q is right", acceptedPath, i+1, e.Change)
		}
	}
	a.entries = file.Accepted
	return a, nil
}

// reason says whether check's change is accepted against the base, and why.
func (a *acceptedBreaks) reason(check, change string) (string, bool) {
	for i, e := range a.entries {
		if e.Base == a.base && e.Check == check && e.Change == change {
			a.used[i] = true
			return e.Reason, true
		}
	}
	return "", false
}

// unused lists check's entries that accepted nothing in this comparison: for
// another release, or for a change that is no longer there. Compared with a
// revision that is no release, no entry could apply, and none is listed.
func (a *acceptedBreaks) unused(check string) []acceptedBreak {
	var out []acceptedBreak
	if !isRelease(a.base) {
		return nil
	}
	for i, e := range a.entries {
		if e.Check == check && !a.used[i] {
			out = append(out, e)
		}
	}
	return out
}

// stale lists the entries for a release other than base: the release step
// refuses to release while any is left.
func (a *acceptedBreaks) stale() []acceptedBreak {
	var out []acceptedBreak
	for _, e := range a.entries {
		if e.Base != a.base {
			out = append(out, e)
		}
	}
	return out
}
