package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// contractPath is the contract, from the module root.
const contractPath = "openapi/linktoken.yaml"

// raisedRules are oasdiff rules rated below a warning that break someone all
// the same, because this contract is held strictly on both sides: the generated
// client decodes each declared response into a field of its own, and `linktoken
// check` (strict) calls anything undeclared a violation. Every rule oasdiff
// rates a warning or an error already fails the check.
var raisedRules = []string{
	// A server that still sends the status fails the strict check, and the
	// generated client loses the typed field for it (JSON429 and the like).
	"response-non-success-status-removed",
	// A server that still sends the property fails the strict check, and the
	// generated model loses the field.
	"response-optional-property-removed",
	// operationIds name the generated Go methods and types.
	"api-operation-id-removed",
}

// oasdiffChange is one entry of `oasdiff breaking -f json`.
type oasdiffChange struct {
	ID             string  `json:"id"`
	Text           string  `json:"text"`
	Level          int     `json:"level"` // 1 info, 2 warning, 3 error
	Operation      string  `json:"operation"`
	Path           string  `json:"path"`
	Section        string  `json:"section"`
	BaseSource     *source `json:"baseSource"`
	RevisionSource *source `json:"revisionSource"`
}

type source struct {
	Line int `json:"line"`
}

const oasdiffWarning = 2

// checkContract compares the working tree's contract with the base revision's.
func checkContract(ctx context.Context, o *options) (int, error) {
	bin, cleanup, err := oasdiff.binary(ctx, o)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "apicompat-contract-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	old, err := command(ctx, o.root, o.env, "git", "show", o.base+":"+contractPath)
	if err != nil {
		return 0, fmt.Errorf("%s has no %s: %w", o.baseName, contractPath, err)
	}
	basePath := filepath.Join(dir, "base.yaml")
	if err := os.WriteFile(basePath, old, 0o600); err != nil {
		return 0, err
	}
	lines, err := contractBreaks(ctx, bin, dir, basePath, filepath.Join(o.root, contractPath), o.baseName+":"+contractPath, contractPath, o.env)
	if err != nil {
		return 0, err
	}
	report(o.stdout, "api-diff", contractPath+" against "+o.baseName, lines, "breaking change")
	return len(lines), nil
}

// contractBreaks runs oasdiff on two contract files and returns one line per
// breaking change: where it is (file and line of whichever side holds it), its
// operation, what changed and oasdiff's rule, which `oasdiff checks` explains.
// baseName and revName are what the lines call the two files. dir is scratch
// space.
func contractBreaks(ctx context.Context, oasdiffBin, dir, basePath, revPath, baseName, revName string, env []string) ([]string, error) {
	levels := filepath.Join(dir, "severity-levels.txt")
	var b strings.Builder
	for _, id := range raisedRules {
		fmt.Fprintf(&b, "%s ERR\n", id)
	}
	if err := os.WriteFile(levels, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	out, err := command(ctx, dir, env, oasdiffBin, "breaking", basePath, revPath,
		"--format", "json", "--severity-levels", levels,
		// Without it oasdiff compares only each operation's own parameters,
		// and a change to a path-level one (orgId, envelope) passes unseen.
		"--flatten-params",
		// The contract has no external $ref; a base revision that did must not reach the network.
		"--allow-external-refs=false")
	if err != nil {
		return nil, err
	}
	var changes []oasdiffChange
	if err := json.Unmarshal(out, &changes); err != nil {
		return nil, fmt.Errorf("reading oasdiff's report: %w\n%s", err, tail(string(out), 2000))
	}
	var lines []string
	for _, c := range changes {
		if c.Level < oasdiffWarning {
			continue
		}
		where := revName
		switch {
		case c.RevisionSource != nil && c.RevisionSource.Line > 0:
			where = fmt.Sprintf("%s:%d", revName, c.RevisionSource.Line)
		case c.BaseSource != nil && c.BaseSource.Line > 0:
			where = fmt.Sprintf("%s:%d", baseName, c.BaseSource.Line)
		}
		what := c.Section
		if c.Path != "" {
			what = strings.TrimSpace(c.Operation + " " + c.Path)
		}
		level := "error"
		if c.Level == oasdiffWarning {
			level = "warning"
		}
		lines = append(lines, fmt.Sprintf("%s: %s: %s: %s [%s]", where, level, what, oneLine(c.Text), c.ID))
	}
	return lines, nil
}

// oneLine keeps a change on its line whatever the contract's text holds.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// report prints each breaking change, then a summary that says what was compared.
func report(w io.Writer, label, compared string, lines []string, noun string) {
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	switch len(lines) {
	case 0:
		fmt.Fprintf(w, "%s: %s: no %s\n", label, compared, noun)
	case 1:
		fmt.Fprintf(w, "%s: %s: 1 %s\n", label, compared, noun)
	default:
		fmt.Fprintf(w, "%s: %s: %d %ss\n", label, compared, len(lines), noun)
	}
}
