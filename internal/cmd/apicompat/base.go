package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// releaseTag matches the tags that make a release. Pre-releases (v1.0.0-rc.1)
// promise no compatibility, so a check never compares with one unless asked to.
var releaseTag = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// noReleaseError says why there is nothing to compare with: no release yet.
type noReleaseError struct{ shallow bool }

func (e *noReleaseError) Error() string {
	msg := "no release tag (vMAJOR.MINOR.PATCH) is reachable from HEAD other than HEAD's own, so there is no release to stay compatible with"
	if e.shallow {
		msg += " (this is a shallow clone: fetch the tags with 'git fetch --unshallow --tags')"
	}
	return msg + "; compare with any revision instead: make api-diff BASE=<rev>, make go-api-diff BASE=<rev>"
}

// resolveBase turns the revision asked for into a commit and a name to print.
// With none asked for, it is the previous release: the newest release tag
// merged into HEAD, not counting tags on HEAD itself, so that CI on a release
// commit compares that release with the one before it.
func resolveBase(ctx context.Context, root string, env []string, asked string) (commit, name string, err error) {
	if asked != "" {
		commit, err := gitOutput(ctx, root, env, "rev-parse", "--verify", "--quiet", "--end-of-options", asked+"^{commit}")
		if err != nil {
			return "", "", fmt.Errorf("base %q is not a commit of this repository", asked)
		}
		return commit, asked, nil
	}
	onHead, err := gitLines(ctx, root, env, "tag", "--points-at", "HEAD")
	if err != nil {
		return "", "", err
	}
	// Version order is exact for tags of releaseTag's form, which carry no suffix.
	merged, err := gitLines(ctx, root, env, "tag", "--merged", "HEAD", "--sort=-v:refname")
	if err != nil {
		return "", "", err
	}
	for _, tag := range merged {
		if releaseTag.MatchString(tag) && !slices.Contains(onHead, tag) {
			commit, err := gitOutput(ctx, root, env, "rev-parse", "--verify", tag+"^{commit}")
			return commit, tag, err
		}
	}
	shallow, _ := gitOutput(ctx, root, env, "rev-parse", "--is-shallow-repository")
	return "", "", &noReleaseError{shallow: shallow == "true"}
}

// gitLines runs git and returns its output's non-empty lines.
func gitLines(ctx context.Context, dir string, env []string, args ...string) ([]string, error) {
	out, err := gitOutput(ctx, dir, env, args...)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}
