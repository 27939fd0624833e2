package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// changelogPath is the changelog, from the module root, in Keep a Changelog's
// shape: an "## [Unreleased]" section collecting changes as they land, one
// "## [X.Y.Z] - YYYY-MM-DD" section per release below it, and link
// definitions for the headings at the end.
const changelogPath = "CHANGELOG.md"

const unreleasedHeading = "## [Unreleased]"

var (
	// unreleasedLink is the link definition of the Unreleased heading; its
	// address up to /commits/ or /compare/ is the repository's.
	unreleasedLink = regexp.MustCompile(`(?m)^\[Unreleased\]: (\S+?)/(?:commits|compare)/\S*$`)
	// linkDefinitions is the block of link definitions that ends the file.
	linkDefinitions = regexp.MustCompile(`(?m)^\[[^\]]+\]: \S+$`)
)

// releaseChangelog moves what the Unreleased section holds into a section
// for version (vX.Y.Z, shown without its v as Keep a Changelog does) dated
// date, leaving Unreleased empty, and points the links at the new tag:
// Unreleased compares the new tag with HEAD, the version's heading compares
// the previous release (or, for the first, shows the tag).
func releaseChangelog(content, version, previous, date string) (string, error) {
	start := strings.Index(content, "\n"+unreleasedHeading+"\n")
	if start < 0 {
		return "", fmt.Errorf("%s has no %q heading", changelogPath, unreleasedHeading)
	}
	bodyStart := start + len("\n"+unreleasedHeading+"\n")
	bodyEnd := len(content)
	if next := strings.Index(content[bodyStart:], "\n## "); next >= 0 {
		bodyEnd = bodyStart + next + 1
	} else if links := linkDefinitions.FindStringIndex(content[bodyStart:]); links != nil {
		bodyEnd = bodyStart + links[0]
	}
	body := strings.Trim(content[bodyStart:bodyEnd], "\n")
	if !strings.Contains("\n"+body, "\n- ") {
		return "", errors.New("the Unreleased section of " + changelogPath + " lists no change: say what the release brings first")
	}
	number := strings.TrimPrefix(version, "v")
	section := fmt.Sprintf("%s\n\n## [%s] - %s\n\n%s\n\n", unreleasedHeading, number, date, body)
	out := content[:start+1] + section + content[bodyEnd:]
	if m := unreleasedLink.FindStringSubmatchIndex(out); m != nil {
		repo := out[m[2]:m[3]]
		versionLink := fmt.Sprintf("[%s]: %s/releases/tag/%s", number, repo, version)
		if previous != "" {
			versionLink = fmt.Sprintf("[%s]: %s/compare/%s...%s", number, repo, previous, version)
		}
		out = out[:m[0]] + fmt.Sprintf("[Unreleased]: %s/compare/%s...HEAD\n%s", repo, version, versionLink) + out[m[1]:]
	}
	return out, nil
}
