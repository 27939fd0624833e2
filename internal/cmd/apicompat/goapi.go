package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkGoAPI compares the exported API of every public package in the working
// tree with the base revision's. Public means what docs/versioning.md says:
// every package outside internal/ (which apidiff leaves out itself) and cmd/
// (commands, whose interface is their flags and output, not Go).
func checkGoAPI(ctx context.Context, o *options) (*outcome, error) {
	bin, cleanup, err := apidiff.binary(ctx, o)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	incompatible, compatible, err := goAPIChanges(ctx, bin, o.root, o.base, o.env)
	if err != nil {
		return nil, err
	}
	out := &outcome{compared: "exported Go API against " + o.baseName, noun: "incompatible change", compatible: len(public(compatible))}
	for _, c := range public(incompatible) {
		name, _, _ := strings.Cut(c, ": ")
		out.breaking = append(out.breaking, finding{key: c, line: c, place: goPackage(name)})
	}
	return out, nil
}

// goPackage is the package of an exported name as apidiff prints it:
// "./generated/server" of "./generated/server.ServerInterface.GetProbe".
func goPackage(name string) string {
	slash := strings.LastIndex(name, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// public keeps the changes to packages outside cmd/ and internal/. A change
// is apidiff's line: "./atlas.NewClient: removed", "./cmd/linktoken.X: added".
func public(changes []string) []string {
	var out []string
	for _, c := range changes {
		name, _, _ := strings.Cut(c, ": ")
		// "/internal/" finds ./internal/… and any internal/ below.
		if !strings.HasPrefix(name, "./cmd/") && !strings.Contains(name, "/internal/") {
			out = append(out, c)
		}
	}
	return out
}

// goAPIChanges checks the base revision out into a temporary git worktree,
// records its API there (apidiff -w: export data of every package of the
// module), and compares the working tree's with it. Each change is apidiff's
// line, such as "./atlas.NewClient: removed" ("./" is the module root).
func goAPIChanges(ctx context.Context, apidiffBin, root, base string, env []string) (incompatible, compatible []string, err error) {
	dir, err := os.MkdirTemp("", "apicompat-go-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	worktree := filepath.Join(dir, "base")
	if _, err := command(ctx, root, env, "git", "worktree", "add", "--detach", "--quiet", worktree, base); err != nil {
		return nil, nil, err
	}
	defer func() {
		// Removing the worktree also drops its entry from the repository.
		if _, rmErr := command(context.WithoutCancel(ctx), root, env, "git", "worktree", "remove", "--force", worktree); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	baseModule, err := modulePath(ctx, worktree, env)
	if err != nil {
		return nil, nil, err
	}
	module, err := modulePath(ctx, root, env)
	if err != nil {
		return nil, nil, err
	}
	exported := filepath.Join(dir, "base.api")
	if _, err := command(ctx, worktree, env, apidiffBin, "-m", "-w", exported, baseModule); err != nil {
		return nil, nil, fmt.Errorf("recording the API at %s: %w", base, err)
	}
	out, err := command(ctx, root, env, apidiffBin, "-m", exported, module)
	if err != nil {
		return nil, nil, fmt.Errorf("comparing the API with %s: %w", base, err)
	}
	return parseAPIDiff(out)
}

// modulePath is the path of the module whose root is dir.
func modulePath(ctx context.Context, dir string, env []string) (string, error) {
	out, err := command(ctx, dir, env, "go", "list", "-m")
	return strings.TrimSpace(string(out)), err
}

// parseAPIDiff reads apidiff's report: a heading per kind of change, then one
// "- change" line each.
func parseAPIDiff(out []byte) (incompatible, compatible []string, err error) {
	var into *[]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "Incompatible changes:":
			into = &incompatible
		case line == "Compatible changes:":
			into = &compatible
		case strings.HasPrefix(line, "- ") && into != nil:
			*into = append(*into, strings.TrimPrefix(line, "- "))
		case strings.TrimSpace(line) == "":
		default:
			return nil, nil, fmt.Errorf("unexpected line in apidiff's report: %q", line)
		}
	}
	return incompatible, compatible, sc.Err()
}
