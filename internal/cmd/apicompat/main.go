// Command apicompat fails when the working tree breaks what the previous release
// promised to the repositories that import this module or run its command, and
// records a release that keeps those promises:
//
//	go run ./internal/cmd/apicompat contract [-base REV]   # openapi/linktoken.yaml: oasdiff, then its x-atlas-* extensions
//	go run ./internal/cmd/apicompat go [-base REV]         # every public package's exported API, by apidiff
//	go run ./internal/cmd/apicompat release vX.Y.Z         # both checks, then CHANGELOG.md, a commit and a tag
//
// `make api-diff`, `make go-api-diff` and `make release VERSION=vX.Y.Z` run it.
// REV defaults to the previous release: the newest tag of the form
// vMAJOR.MINOR.PATCH reachable from HEAD, not counting a tag on HEAD itself (a
// release is compared with the one before it). A shallow clone, or one without
// tags, fetches the history and tags from its remote first, and fails if it
// cannot: it never passes for want of a baseline. Only a complete repository
// with no release tag at all has nothing to keep compatible with: the check
// says SKIPPED and exits 0. Any commit can be named instead, so the checks work
// before the first release (-base HEAD~3).
//
// Each breaking change is one line naming where it is, after a summary line
// when there are several. A breaking change passes only when the release HEAD
// is tagged as (or, for release, is about to be) allows it — a new major
// version, or before v1 a new minor one — or when .ci/accepted-breaks.yaml
// accepts it, with its reason, against the release compared with. oasdiff and
// apidiff are built from their own modules under internal/tools/ (see the
// Makefile for why), or taken from -tool.
//
// Exit codes: 0 compatible, accepted, allowed or skipped; 1 a breaking change;
// 2 a usage error, a baseline that cannot be found, a refused release, or a
// tool or git command that failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Exit codes.
const (
	exitCompatible = 0
	exitBreaking   = 1
	exitFailed     = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// check is one subcommand.
type check struct {
	label string // the make target, which names the check in what it prints
	tool  string // the program that compares
	run   func(context.Context, *options) (*outcome, error)
}

var checks = map[string]check{
	"contract": {label: "api-diff", tool: "oasdiff", run: checkContract},
	"go":       {label: "go-api-diff", tool: "apidiff", run: checkGoAPI},
}

// options is what one check needs to know.
type options struct {
	// root is the module root: the working tree whose contract and API are checked.
	root string
	// base is the revision compared with: a resolved commit, and the name the user knows it by.
	base, baseName string
	// tool is the path of a prebuilt oasdiff or apidiff; empty means build it.
	tool string
	// env is the environment of every command run (go, git, the tools).
	env            []string
	stdout, stderr io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: apicompat contract|go [-base REV] [-tool PATH]\n       apicompat release vMAJOR.MINOR.PATCH")
	}
	if len(args) == 0 {
		usage()
		return exitFailed
	}
	// A fetch of the previous release (base.go) must fail, not wait for a password.
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if args[0] == "release" {
		if len(args) != 2 {
			usage()
			return exitFailed
		}
		root, err := findModuleRoot(ctx, env)
		if err != nil {
			fmt.Fprintf(stderr, "release: %v\n", err)
			return exitFailed
		}
		return release(ctx, &releaseOptions{root: root, version: args[1], env: env, stdout: stdout, stderr: stderr, today: time.Now().UTC()})
	}
	c, ok := checks[args[0]]
	if !ok {
		usage()
		return exitFailed
	}
	fs := flag.NewFlagSet("apicompat "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "revision to compare with (default: the previous release tag)")
	tool := fs.String("tool", "", "prebuilt "+c.tool+" binary (default: build the pinned one)")
	if err := fs.Parse(args[1:]); err != nil {
		return exitFailed
	}
	if fs.NArg() != 0 {
		usage()
		return exitFailed
	}
	root, err := findModuleRoot(ctx, env)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	o := &options{root: root, tool: *tool, env: env, stdout: stdout, stderr: stderr}
	return c.check(ctx, o, *base)
}

// findModuleRoot is the root of this module, wherever in it the command runs.
func findModuleRoot(ctx context.Context, env []string) (string, error) {
	out, err := command(ctx, "", env, "go", "env", "GOMOD")
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == os.DevNull || gomod == "" {
		return "", fmt.Errorf("not inside this module (go env GOMOD: %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

// check resolves the base revision and compares with it, judging the changes
// by the version HEAD is released as, if it is a release.
func (c check) check(ctx context.Context, o *options, base string) int {
	var err error
	o.base, o.baseName, err = resolveBase(ctx, o.root, o.env, base, func(format string, args ...any) {
		fmt.Fprintf(o.stderr, c.label+": "+format, args...)
	})
	var none *noReleaseError
	if errors.As(err, &none) {
		// Said on stdout, in capitals, so that a CI log cannot pass it off as a check that ran.
		fmt.Fprintf(o.stdout, "%s: SKIPPED: %v\n", c.label, none)
		return exitCompatible
	}
	if err != nil {
		fmt.Fprintf(o.stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	release, err := releasedAs(ctx, o.root, o.env)
	if err != nil {
		fmt.Fprintf(o.stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	return c.compare(ctx, o, release)
}

// compare runs the comparison with o.base and turns its outcome into an exit
// code: breaking changes fail unless the release they are part of allows
// them or each is accepted.
func (c check) compare(ctx context.Context, o *options, release string) int {
	out, err := c.run(ctx, o)
	if err != nil {
		fmt.Fprintf(o.stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	accepted, err := loadAccepted(o.root, o.baseName)
	if err != nil {
		fmt.Fprintf(o.stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	if !verdict(o.stdout, c.label, out, accepted, bumpAllows(o.baseName, release)) {
		return exitBreaking
	}
	return exitCompatible
}
