package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testChangelog = `# Changelog

Intro.

## [Unreleased]

### Added

- Something.

[Unreleased]: https://example.invalid/repo/commits/main
`

func TestReleaseChangelog(t *testing.T) {
	t.Parallel()
	first, err := releaseChangelog(testChangelog, "v0.1.0", "", "2026-12-03")
	if err != nil {
		t.Fatal(err)
	}
	wantFirst := `# Changelog

Intro.

## [Unreleased]

## [0.1.0] - 2026-12-03

### Added

- Something.

[Unreleased]: https://example.invalid/repo/compare/v0.1.0...HEAD
[0.1.0]: https://example.invalid/repo/releases/tag/v0.1.0
`
	if first != wantFirst {
		t.Fatalf("first release:\n%s\nwant:\n%s", first, wantFirst)
	}
	if _, err := releaseChangelog(first, "v0.1.1", "v0.1.0", "2026-12-04"); err == nil || !strings.Contains(err.Error(), "lists no change") {
		t.Fatalf("an empty Unreleased section: %v, want a refusal", err)
	}
	withFix := strings.Replace(first, "## [Unreleased]\n\n", "## [Unreleased]\n\n### Fixed\n\n- A fix.\n\n", 1)
	second, err := releaseChangelog(withFix, "v0.1.1", "v0.1.0", "2026-12-04")
	if err != nil {
		t.Fatal(err)
	}
	wantSecond := strings.Replace(wantFirst, "## [0.1.0]", "## [0.1.1] - 2026-12-04\n\n### Fixed\n\n- A fix.\n\n## [0.1.0]", 1)
	wantSecond = strings.Replace(wantSecond, "compare/v0.1.0...HEAD\n", "compare/v0.1.1...HEAD\n[0.1.1]: https://example.invalid/repo/compare/v0.1.0...v0.1.1\n", 1)
	if second != wantSecond {
		t.Fatalf("second release:\n%s\nwant:\n%s", second, wantSecond)
	}

	// The project's own changelog has the shape the release step needs.
	real, err := os.ReadFile(filepath.Join(moduleRoot, changelogPath))
	if err != nil {
		t.Fatal(err)
	}
	out, err := releaseChangelog(string(real), "v0.1.0", "", "2026-12-03")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "## [Unreleased]\n\n## [0.1.0] - 2026-12-03\n\n") || !strings.Contains(out, "/releases/tag/v0.1.0\n") {
		t.Errorf("%s: the release section or its link is missing:\n%s", changelogPath, tail(out, 600))
	}
}

// TestRelease releases a scratch module (the real contract and a one-package
// Go API) several times, as `make release VERSION=…` does, and checks each
// refusal and each release, and that CI's check passes on each release commit.
func TestRelease(t *testing.T) {
	t.Parallel()
	tools := map[string]string{"api-diff": builtTool(t, oasdiff), "go-api-diff": builtTool(t, apidiff)}
	contract := readContract(t)
	repo := scratchRepo(t, map[string][]byte{
		"go.mod":        []byte("module example.invalid/rel\n\ngo 1.22\n"),
		"p/p.go":        []byte("// Package p is the Go API.\npackage p\n\n// F is API.\nfunc F() {}\n"),
		contractPath:    []byte(contract),
		changelogPath:   []byte(testChangelog),
		acceptedPath:    []byte("accepted: []\n"),
		".gitignore":    []byte("*.tmp\n"),
		"p/doc_test.go": []byte("package p\n"),
	})
	day := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	releaseAs := func(version string, wantCode int, want ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		headBefore := git(t, repo, "rev-parse", "HEAD")
		code := release(context.Background(), &releaseOptions{root: repo, version: version, env: testEnv(), tools: tools, stdout: &stdout, stderr: &stderr, today: day})
		out := stdout.String() + stderr.String()
		if code != wantCode {
			t.Fatalf("release %s: exit %d, want %d\n%s", version, code, wantCode, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("release %s: output lacks %q:\n%s", version, w, out)
			}
		}
		tagged := git(t, repo, "tag", "--list", version) == version
		if wantCode != exitCompatible {
			if head := git(t, repo, "rev-parse", "HEAD"); head != headBefore || (tagged && !strings.Contains(out, "exists already")) {
				t.Errorf("release %s was refused but committed or tagged", version)
			}
			return
		}
		if !tagged || git(t, repo, "rev-parse", version+"^{commit}") != git(t, repo, "rev-parse", "HEAD") {
			t.Fatalf("release %s: HEAD is not tagged %s", version, version)
		}
		if status := git(t, repo, "status", "--porcelain"); status != "" {
			t.Errorf("release %s left the tree dirty:\n%s", version, status)
		}
		// CI on the release commit: both checks pass against the release before.
		for _, name := range []string{"contract", "go"} {
			var stdout, stderr bytes.Buffer
			o := &options{root: repo, tool: tools[checks[name].label], env: testEnv(), stdout: &stdout, stderr: &stderr}
			if code := checks[name].check(context.Background(), o, ""); code != exitCompatible {
				t.Errorf("CI's %s on the release commit %s: exit %d\n%s%s", checks[name].label, version, code, &stdout, &stderr)
			}
		}
	}
	commitAll := func(msg string) {
		t.Helper()
		git(t, repo, "add", "-A")
		git(t, repo, "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", msg)
	}
	addUnreleased := func(line string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(repo, changelogPath))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(repo, changelogPath), []byte(strings.Replace(string(b), "## [Unreleased]\n\n", "## [Unreleased]\n\n### Changed\n\n- "+line+"\n\n", 1)))
	}
	git(t, repo, "config", "tag.gpgSign", "false")

	releaseAs("1.0", exitFailed, `"1.0" is not a release version`)
	writeFile(t, filepath.Join(repo, "untracked.go"), []byte("package rel\n"))
	releaseAs("v0.1.0", exitFailed, "the working tree is not clean", "untracked.go")
	os.Remove(filepath.Join(repo, "untracked.go"))

	releaseAs("v0.1.0", exitCompatible, "v0.1.0 is the first release", "git push origin HEAD v0.1.0")
	if b, _ := os.ReadFile(filepath.Join(repo, changelogPath)); !strings.Contains(string(b), "## [Unreleased]\n\n## [0.1.0] - 2026-12-03\n\n### Added\n\n- Something.") {
		t.Errorf("CHANGELOG.md after v0.1.0:\n%s", b)
	}
	releaseAs("v0.1.0", exitFailed, "the tag v0.1.0 exists already")
	releaseAs("v0.2.0", exitFailed, "HEAD is released already, as v0.1.0")
	git(t, repo, "-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "-m", "nothing yet")
	releaseAs("v0.1.1", exitFailed, "lists no change")
	releaseAs("v0.0.9", exitFailed, "v0.0.9 is not after the previous release v0.1.0")

	// A break in a patch release: refused, until accepted with its reason.
	writeFile(t, filepath.Join(repo, contractPath), []byte(replaceOnce(t, contract, deleteResponses409And429, deleteResponses409)))
	addUnreleased("The 429 of delete is gone.")
	commitAll("drop the 429")
	releaseAs("v0.1.1", exitFailed, "`429`", "api-diff found a breaking change that v0.1.1 does not allow: not released")
	change := "DELETE " + deleteOperation + ": removed the non-success response with the status `429` [response-non-success-status-removed]"
	writeFile(t, filepath.Join(repo, acceptedPath), []byte("accepted:\n  - base: v0.1.0\n    check: api-diff\n    change: \""+change+"\"\n    reason: the service never sends it\n"))
	commitAll("accept dropping the 429")
	releaseAs("v0.1.1", exitCompatible, "(accepted in .ci/accepted-breaks.yaml: the service never sends it)")

	// The entry is for v0.1.0: the next release refuses until it is deleted.
	addUnreleased("Another change.")
	commitAll("another change")
	releaseAs("v0.1.2", exitFailed, "accepted against a release other than v0.1.1", "delete them first")
	writeFile(t, filepath.Join(repo, acceptedPath), []byte("accepted: []\n"))
	commitAll("the entries for v0.1.0 are done with")

	// A break in the Go API, released as a new minor version before v1: allowed.
	writeFile(t, filepath.Join(repo, "p", "p.go"), []byte("// Package p is the Go API.\npackage p\n"))
	addUnreleased("p.F is gone.")
	commitAll("drop F")
	releaseAs("v0.1.2", exitFailed, "./p.F: removed", "go-api-diff found a breaking change that v0.1.2 does not allow")
	releaseAs("v0.2.0", exitCompatible, "./p.F: removed", "allowed: before v1, v0.2.0 is a new minor version after v0.1.1")
}
