package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// outcome is what one comparison found, before any break is let through.
type outcome struct {
	compared string    // what was compared with what: "openapi/linktoken.yaml against v0.1.0"
	noun     string    // what a breaking change is called: "breaking change"
	breaking []finding // in the order to print
	notes    []string  // changes that break nobody, worth a line
	// compatible counts changes that break nobody, when there are too many to list.
	compatible int
}

// finding is one breaking change.
type finding struct {
	key   string // the change without its position, as accepted-breaks.yaml quotes it
	line  string // as printed: with where it is
	place string // the operation, package or part of the document it is in
}

// verdict applies the two ways a break is let through to what a comparison
// found: the version HEAD is released as (a new major version, or before v1 a
// new minor one, may break anything), and the accepted breaks file. It prints
// a summary line first, then each change, then the count, and says whether the
// check passes.
func verdict(w io.Writer, label string, out *outcome, accepted *acceptedBreaks, allowedBy string) (pass bool) {
	var open, ok []finding
	reasons := map[string]string{}
	for _, f := range out.breaking {
		if reason, found := accepted.reason(label, f.key); found {
			ok = append(ok, f)
			reasons[f.key] = reason
		} else {
			open = append(open, f)
		}
	}
	if len(out.breaking) > 1 {
		ps := places(out.breaking)
		fmt.Fprintf(w, "%s: %s in %s: %s\n", label, plural.Count(len(out.breaking), out.noun), plural.Count(len(ps), "place"), summary(ps))
	}
	for _, f := range ok {
		fmt.Fprintf(w, "%s (accepted in %s: %s)\n", f.line, acceptedPath, reasons[f.key])
	}
	for _, f := range open {
		fmt.Fprintln(w, f.line)
	}
	for _, n := range out.notes {
		fmt.Fprintf(w, "%s (not breaking)\n", n)
	}
	for _, e := range accepted.unused(label) {
		if e.Base != accepted.base {
			fmt.Fprintf(w, "%s: %s accepts %q against %s, not %s: it no longer applies; delete it (make release refuses until then)\n", label, acceptedPath, e.Change, e.Base, accepted.base)
		} else {
			fmt.Fprintf(w, "%s: %s accepts %q against %s, which this comparison did not find: delete the entry if it is done with\n", label, acceptedPath, e.Change, e.Base)
		}
	}
	compared := out.compared
	if out.compatible > 0 {
		compared += " (" + plural.Count(out.compatible, "compatible change") + ")"
	}
	switch {
	case len(out.breaking) == 0:
		fmt.Fprintf(w, "%s: %s: no %s\n", label, compared, out.noun)
		return true
	case len(open) == 0:
		fmt.Fprintf(w, "%s: %s: %s, each accepted in %s\n", label, compared, plural.Count(len(out.breaking), out.noun), acceptedPath)
		return true
	case allowedBy != "":
		fmt.Fprintf(w, "%s: %s: %s, allowed: %s\n", label, compared, plural.Count(len(out.breaking), out.noun), allowedBy)
		return true
	}
	fmt.Fprintf(w, "%s: %s: %s", label, compared, plural.Count(len(open), out.noun))
	if len(ok) > 0 {
		fmt.Fprintf(w, " (and %d accepted)", len(ok))
	}
	fmt.Fprintf(w, "\n%s: to break on purpose, release a new major version (before v1, a new minor one), "+
		"or accept each change in %s with its reason (see docs/versioning.md)\n", label, acceptedPath)
	return false
}

// places lists the places of findings, each once, in order of appearance,
// with how many findings each holds.
func places(fs []finding) []placeCount {
	var out []placeCount
	index := map[string]int{}
	for _, f := range fs {
		if i, ok := index[f.place]; ok {
			out[i].n++
			continue
		}
		index[f.place] = len(out)
		out = append(out, placeCount{f.place, 1})
	}
	return out
}

type placeCount struct {
	place string
	n     int
}

// summary names the first few places, so that one edit to a shared schema,
// which breaks every operation using it, reads as one line before its sixty.
func summary(ps []placeCount) string {
	const shown = 5
	var parts []string
	for i, p := range ps {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-shown))
			break
		}
		parts = append(parts, p.place+" ("+strconv.Itoa(p.n)+")")
	}
	return strings.Join(parts, ", ")
}
