// Command apicompat fails when the working tree breaks what the previous release
// promised to the repositories that import this module or run its command:
//
//	go run ./internal/cmd/apicompat contract [-base REV]   # openapi/linktoken.yaml, by oasdiff
//	go run ./internal/cmd/apicompat go [-base REV]         # every public package's exported API, by apidiff
//
// `make api-diff` and `make go-api-diff` run it. REV defaults to the previous
// release: the newest tag of the form vMAJOR.MINOR.PATCH reachable from HEAD,
// not counting a tag on HEAD itself (a release is compared with the one before
// it). A shallow clone, or one without tags, fetches the history and tags from
// its remote first, and fails if it cannot: it never passes for want of a
// baseline. Only a complete repository with no release tag at all has nothing
// to keep compatible with: the check says SKIPPED and exits 0. Any commit can
// be named instead, so the checks work before the first release (-base HEAD~3).
//
// Each breaking change is one line naming where it is. oasdiff and apidiff are
// built from their own modules under internal/tools/ (see the Makefile for
// why), or taken from -tool.
//
// Exit codes: 0 compatible or skipped, 1 a breaking change, 2 a usage error or
// a tool or git command that failed.
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
		fmt.Fprintln(stderr, "usage: apicompat contract|go [-base REV] [-tool PATH]")
	}
	if len(args) == 0 {
		usage()
		return exitFailed
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
	// A fetch of the previous release (base.go) must fail, not wait for a password.
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	// The module root, wherever in the module the command runs.
	gomod, err := command(ctx, "", env, "go", "env", "GOMOD")
	if err != nil || strings.TrimSpace(string(gomod)) == os.DevNull || strings.TrimSpace(string(gomod)) == "" {
		fmt.Fprintf(stderr, "%s: not inside this module (go env GOMOD: %q, %v)\n", c.label, gomod, err)
		return exitFailed
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	o := &options{root: root, tool: *tool, env: env, stdout: stdout, stderr: stderr}
	return c.check(ctx, o, *base)
}

// check resolves the base revision, runs the comparison and turns its outcome
// into an exit code.
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
	release, err := releasedAs(ctx, o.root, o.env)
	if err != nil {
		fmt.Fprintf(o.stderr, "%s: %v\n", c.label, err)
		return exitFailed
	}
	if !verdict(o.stdout, c.label, out, accepted, bumpAllows(o.baseName, release)) {
		return exitBreaking
	}
	return exitCompatible
}
