package main

import (
	"context"
	"encoding/json"
	"fmt"
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

// checkContract compares the working tree's contract with the base revision's:
// oasdiff for what OpenAPI says, extensions.go for what only this contract says.
func checkContract(ctx context.Context, o *options) (*outcome, error) {
	bin, cleanup, err := oasdiff.binary(ctx, o)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "apicompat-contract-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	old, err := command(ctx, o.root, o.env, "git", "show", o.base+":"+contractPath)
	if err != nil {
		return nil, fmt.Errorf("%s has no %s: %w", o.baseName, contractPath, err)
	}
	basePath := filepath.Join(dir, "base.yaml")
	if err := os.WriteFile(basePath, old, 0o600); err != nil {
		return nil, err
	}
	changes, err := contractChanges(ctx, bin, dir, basePath, filepath.Join(o.root, contractPath), o.baseName+":"+contractPath, contractPath, o.env)
	if err != nil {
		return nil, err
	}
	out := &outcome{compared: contractPath + " against " + o.baseName, noun: "breaking change"}
	for _, c := range changes {
		if c.breaking {
			out.breaking = append(out.breaking, finding{key: c.key(), line: c.line(), place: c.what})
		} else {
			out.notes = append(out.notes, c.line())
		}
	}
	return out, nil
}

// contractChanges compares two contract files: oasdiff's breaking changes,
// each with where it is (file and line of whichever side holds it), its
// operation, what changed and oasdiff's rule, which `oasdiff checks` explains;
// then the changes to the servers and x-atlas-* extensions (extensions.go),
// breaking or not. baseName and revName are what the lines call the two files.
// dir is scratch space.
func contractChanges(ctx context.Context, oasdiffBin, dir, basePath, revPath, baseName, revName string, env []string) ([]contractChange, error) {
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
	var reported []oasdiffChange
	if err := json.Unmarshal(out, &reported); err != nil {
		return nil, fmt.Errorf("reading oasdiff's report: %w\n%s", err, tail(string(out), 2000))
	}
	var changes []contractChange
	for _, c := range reported {
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
		changes = append(changes, contractChange{where: where, level: level, what: what, text: oneLine(c.Text), rule: c.ID, breaking: true})
	}
	baseDoc, err := readFileDocument(basePath, baseName)
	if err != nil {
		return nil, err
	}
	revDoc, err := readFileDocument(revPath, revName)
	if err != nil {
		return nil, err
	}
	return append(changes, extensionChanges(baseDoc, revDoc)...), nil
}

func readFileDocument(path, name string) (*document, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return readDocument(b, name)
}

// oneLine keeps a change on its line whatever the contract's text holds.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
