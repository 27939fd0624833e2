package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// isRelease reports whether a tag makes a release: vMAJOR.MINOR.PATCH as
// semver writes it in full. Pre-releases (v1.0.0-rc.1) promise no
// compatibility, so a check never compares with one unless asked to.
func isRelease(tag string) bool {
	return tag != "" && semver.Canonical(tag) == tag && semver.Prerelease(tag) == ""
}

// noReleaseError says why there is nothing to compare with: the repository's
// whole history, with every tag its remote has, holds no release yet.
type noReleaseError struct{ remote string }

func (e *noReleaseError) Error() string {
	where := "this repository has its complete history and no remote"
	if e.remote != "" {
		where = "this repository has its complete history and every tag of " + e.remote
	}
	return "no previous release: " + where + ", and no release tag (vMAJOR.MINOR.PATCH) other than HEAD's own is reachable from HEAD" +
		"; compare with any revision instead: make api-diff BASE=<rev>, make go-api-diff BASE=<rev>"
}

// incompleteError says the previous release may exist but this clone cannot
// show it: a shallow clone, or tags not fetched, and fetching them failed.
type incompleteError struct {
	why string
	err error
}

func (e *incompleteError) Error() string {
	return e.why + ", so the previous release cannot be found and nothing was checked. " +
		"Fetch the history and tags (git fetch --unshallow --tags origin); in CI check out the whole history " +
		"(GitHub Actions: actions/checkout with fetch-depth: 0; GitLab: GIT_DEPTH: 0), or name a base: BASE=<rev>" +
		"\n" + e.err.Error()
}

func (e *incompleteError) Unwrap() error { return e.err }

// resolveBase turns the revision asked for into a commit and a name to print.
// With none asked for, it is the previous release: the newest release tag
// merged into HEAD, not counting tags on HEAD itself, so that CI on a release
// commit compares that release with the one before it.
//
// A shallow clone (what CI runners make by default) holds neither the history
// nor the tags that say which release came before: it fetches them from its
// remote first, and fails if it cannot, rather than report that there is no
// release. A complete clone that finds no release tag asks its remote for tags
// it lacks before it concludes that there is none. logf says what it fetches.
func resolveBase(ctx context.Context, root string, env []string, asked string, logf func(format string, args ...any)) (commit, name string, err error) {
	if asked != "" {
		commit, err := gitOutput(ctx, root, env, "rev-parse", "--verify", "--quiet", "--end-of-options", asked+"^{commit}")
		if err != nil {
			err = fmt.Errorf("base %q is not a commit of this repository", asked)
			if shallow, _ := gitOutput(ctx, root, env, "rev-parse", "--is-shallow-repository"); shallow == "true" {
				err = &incompleteError{why: "this is a shallow clone", err: err}
			}
			return "", "", err
		}
		return commit, asked, nil
	}
	remote, err := fetchRemote(ctx, root, env)
	if err != nil {
		return "", "", err
	}
	shallow, err := gitOutput(ctx, root, env, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return "", "", err
	}
	fetched := false
	if shallow == "true" {
		if remote == "" {
			return "", "", &incompleteError{why: "this is a shallow clone", err: fmt.Errorf("it has no remote to fetch them from")}
		}
		logf("shallow clone: fetching the history and tags from %s\n", remote)
		if _, err := command(ctx, root, env, "git", "fetch", "--quiet", "--unshallow", "--tags", remote); err != nil {
			return "", "", &incompleteError{why: "this is a shallow clone", err: err}
		}
		fetched = true
	}
	commit, name, err = previousRelease(ctx, root, env, remote)
	var none *noReleaseError
	if !errors.As(err, &none) || fetched || remote == "" {
		return commit, name, err
	}
	// The clone may have been made without tags (git clone --no-tags, a CI checkout of one ref).
	logf("no release tag here: fetching the tags from %s\n", remote)
	if _, err := command(ctx, root, env, "git", "fetch", "--quiet", "--tags", remote); err != nil {
		return "", "", &incompleteError{why: "no release tag is here and the tags of " + remote + " could not be fetched", err: err}
	}
	return previousRelease(ctx, root, env, remote)
}

// previousRelease is the newest release tag merged into HEAD other than
// HEAD's own. Without one, it is a noReleaseError only when the repository
// holds no other release tag at all: a release that is not in HEAD's history
// (a branch cut before it) is no reason to pass unchecked.
func previousRelease(ctx context.Context, root string, env []string, remote string) (commit, name string, err error) {
	onHead, err := gitLines(ctx, root, env, "tag", "--points-at", "HEAD")
	if err != nil {
		return "", "", err
	}
	// Version order is exact for release tags, which carry no suffix.
	merged, err := gitLines(ctx, root, env, "tag", "--merged", "HEAD", "--sort=-v:refname")
	if err != nil {
		return "", "", err
	}
	for _, tag := range merged {
		if isRelease(tag) && !slices.Contains(onHead, tag) {
			commit, err := gitOutput(ctx, root, env, "rev-parse", "--verify", tag+"^{commit}")
			return commit, tag, err
		}
	}
	all, err := gitLines(ctx, root, env, "tag", "--list", "--sort=-v:refname")
	if err != nil {
		return "", "", err
	}
	for _, tag := range all {
		if isRelease(tag) && !slices.Contains(onHead, tag) {
			return "", "", fmt.Errorf("no release tag is in HEAD's history, but the release %s exists: name the release to stay compatible with, BASE=<tag>", tag)
		}
	}
	return "", "", &noReleaseError{remote: remote}
}

// fetchRemote is the remote a clone fetches releases from: origin, else the
// only remote there is; "" when there is none.
func fetchRemote(ctx context.Context, root string, env []string) (string, error) {
	remotes, err := gitLines(ctx, root, env, "remote")
	if err != nil {
		return "", err
	}
	switch {
	case slices.Contains(remotes, "origin"):
		return "origin", nil
	case len(remotes) == 1:
		return remotes[0], nil
	case len(remotes) == 0:
		return "", nil
	}
	return "", fmt.Errorf("this repository has several remotes and none named origin (%s): name the base instead, BASE=<rev>", strings.Join(remotes, ", "))
}

// gitLines runs git and returns its output's non-empty lines.
func gitLines(ctx context.Context, dir string, env []string, args ...string) ([]string, error) {
	out, err := gitOutput(ctx, dir, env, args...)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}
