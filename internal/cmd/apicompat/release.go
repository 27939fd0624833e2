package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/semver"
)

// releaseOptions is what the release step needs to know.
type releaseOptions struct {
	root    string
	version string // the tag to make: vMAJOR.MINOR.PATCH
	env     []string
	// tools are prebuilt oasdiff and apidiff by check label; a missing one is built.
	tools          map[string]string
	stdout, stderr io.Writer
	today          time.Time // dates the changelog section
}

// release records a release of HEAD as version: it refuses a dirty tree, a
// version that exists or is not after the previous release, and entries of
// .ci/accepted-breaks.yaml left from an older release; it runs both
// compatibility checks against the previous release as CI will run them on
// the tagged commit (so a break passes only when version allows it or it is
// accepted); then it moves CHANGELOG.md's Unreleased section under the version
// and today's date, commits that, and tags the commit. It pushes nothing: it
// says what to push.
func release(ctx context.Context, o *releaseOptions) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(o.stderr, "release: "+format+"\n", args...)
		return exitFailed
	}
	if !isRelease(o.version) {
		return fail("%q is not a release version: want vMAJOR.MINOR.PATCH, such as v0.1.0", o.version)
	}
	status, err := gitOutput(ctx, o.root, o.env, "status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return fail("%v", err)
	}
	if status != "" {
		return fail("the working tree is not clean; commit or stash first (a release is made of committed files only):\n%s", status)
	}
	// The previous release, fetched first if this clone lacks the history or tags.
	_, previous, err := resolveBase(ctx, o.root, o.env, "", func(format string, args ...any) {
		fmt.Fprintf(o.stderr, "release: "+format, args...)
	})
	var none *noReleaseError
	if err != nil && !errors.As(err, &none) {
		return fail("%v", err)
	}
	if _, err := gitOutput(ctx, o.root, o.env, "rev-parse", "--verify", "--quiet", "refs/tags/"+o.version); err == nil {
		return fail("the tag %s exists already: a version is released once", o.version)
	}
	onHead, err := releasedAs(ctx, o.root, o.env)
	if err != nil {
		return fail("%v", err)
	}
	if onHead != "" {
		return fail("HEAD is released already, as %s: commit what the next release brings first", onHead)
	}
	// After the release before it in HEAD's history, not after every tag: a
	// maintenance branch may release v1.0.1 once v1.1.0 is out.
	if previous != "" && semver.Compare(o.version, previous) <= 0 {
		return fail("%s is not after the previous release %s", o.version, previous)
	}
	if previous == "" {
		fmt.Fprintf(o.stdout, "release: %s is the first release: no earlier release to stay compatible with\n", o.version)
	} else {
		accepted, err := loadAccepted(o.root, previous)
		if err != nil {
			return fail("%v", err)
		}
		if stale := accepted.stale(); len(stale) > 0 {
			return fail("%s holds %d entries accepted against a release other than %s (the first: %q against %s): they no longer apply; delete them first",
				acceptedPath, len(stale), previous, stale[0].Change, stale[0].Base)
		}
		base, err := gitOutput(ctx, o.root, o.env, "rev-parse", "--verify", previous+"^{commit}")
		if err != nil {
			return fail("%v", err)
		}
		for _, name := range []string{"contract", "go"} {
			c := checks[name]
			co := &options{root: o.root, base: base, baseName: previous, tool: o.tools[c.label], env: o.env, stdout: o.stdout, stderr: o.stderr}
			switch c.compare(ctx, co, o.version) {
			case exitBreaking:
				return fail("%s found a breaking change that %s does not allow: not released. A break needs a new major version (before v1, a new minor one) or an entry in %s with its reason",
					c.label, o.version, acceptedPath)
			case exitFailed:
				return fail("%s could not judge: not released", c.label)
			}
		}
	}
	path := filepath.Join(o.root, changelogPath)
	content, err := os.ReadFile(path)
	if err != nil {
		return fail("%v", err)
	}
	updated, err := releaseChangelog(string(content), o.version, previous, o.today.Format(time.DateOnly))
	if err != nil {
		return fail("%v", err)
	}
	if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
		return fail("%v", err)
	}
	steps := [][]string{
		{"commit", "--quiet", "-m", "release: " + o.version, "--", changelogPath},
		{"tag", "-a", "-m", "linktoken " + o.version, o.version},
	}
	for _, args := range steps {
		if _, err := command(ctx, o.root, o.env, "git", args...); err != nil {
			return fail("%v\n%s is changed but the release is not recorded; undo with: git checkout HEAD -- %s (after a commit: git reset --hard HEAD~1)", err, changelogPath, changelogPath)
		}
	}
	fmt.Fprintf(o.stdout, "release: %s tagged on a commit that dates CHANGELOG.md's section; nothing is pushed. Publish it with:\n\tgit push origin HEAD %s\n", o.version, o.version)
	return exitCompatible
}
