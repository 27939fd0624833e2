package main

import (
	"context"
	"fmt"

	"golang.org/x/mod/semver"
)

// releasedAs is HEAD's own release tag (the newest, if several), or "" when
// HEAD is not a release: the version a release commit is released as, which
// decides what it may break (bumpAllows), as gorelease decides by the version
// it is given. A tag is the statement here, never a flag.
func releasedAs(ctx context.Context, root string, env []string) (string, error) {
	onHead, err := gitLines(ctx, root, env, "tag", "--points-at", "HEAD")
	if err != nil {
		return "", err
	}
	newest := ""
	for _, tag := range onHead {
		if isRelease(tag) && (newest == "" || semver.Compare(tag, newest) > 0) {
			newest = tag
		}
	}
	return newest, nil
}

// bumpAllows says why releasing next after base may break anything, or ""
// when it may not: semantic versioning lets a new major version break, and,
// before v1.0.0, a new minor version (docs/versioning.md). A patch release, or
// a minor one from v1 on, breaks nothing unless each change is accepted.
func bumpAllows(base, next string) string {
	if !isRelease(base) || !isRelease(next) || semver.Compare(next, base) <= 0 {
		return ""
	}
	switch {
	case semver.Major(next) != semver.Major(base):
		return fmt.Sprintf("%s is a new major version after %s", next, base)
	case semver.Major(next) == "v0" && semver.MajorMinor(next) != semver.MajorMinor(base):
		return fmt.Sprintf("before v1, %s is a new minor version after %s", next, base)
	}
	return ""
}
