package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// moduleRoot is the module root as seen from this package's directory.
const moduleRoot = "../../.."

// testEnv is the environment of every go and git command the tests run: the
// user's own GOPROXY, so that a module missing from the cache (a fresh
// machine: apidiff loads every package of the module, staticcheck's
// dependencies among them) is fetched as any Go build would fetch it, and
// an author for commits in scratch repositories.
func testEnv() []string {
	return append(os.Environ(),
		"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
		"GIT_AUTHOR_NAME=apicompat test", "GIT_AUTHOR_EMAIL=apicompat@example.invalid",
		"GIT_COMMITTER_NAME=apicompat test", "GIT_COMMITTER_EMAIL=apicompat@example.invalid",
	)
}

// offline reports whether a build failed for want of the network: GOPROXY is
// off, or the proxy could not be reached.
func offline(err error) bool {
	msg := err.Error()
	for _, sign := range []string{"GOPROXY=off", "dial tcp", "no such host", "connection refused", "i/o timeout", "network is unreachable"} {
		if strings.Contains(msg, sign) {
			return true
		}
	}
	return false
}

// toolsDir is where each tool is built once per test binary; TestMain removes it.
var toolsDir string

// builds holds each tool's one build; the map itself is never written.
var builds = map[string]*struct {
	once sync.Once
	bin  string
	err  error
}{oasdiff.name: {}, apidiff.name: {}}

func TestMain(m *testing.M) {
	var err error
	toolsDir, err = os.MkdirTemp("", "apicompat-test-tools-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(toolsDir)
	os.Exit(code)
}

// builtTool returns the pinned tool, built once for the whole test binary.
// Without the network the build needs the tool's modules in the module cache.
// Where they are missing the test is skipped with a message that says so and
// how to fix it — except in CI, which downloads them first (.ci/run), so that
// there a missing module fails rather than hides the check.
func builtTool(t *testing.T, tl tool) string {
	t.Helper()
	b := builds[tl.name]
	b.once.Do(func() {
		root, err := filepath.Abs(moduleRoot)
		if err != nil {
			b.err = err
			return
		}
		b.bin, b.err = tl.build(context.Background(), root, toolsDir, testEnv())
	})
	err := b.err
	if err == nil {
		return b.bin
	}
	if offline(err) && os.Getenv("CI") == "" {
		t.Skipf("SKIPPED, NOT CHECKED: %s cannot be built: its modules are neither in the module cache nor "+
			"reachable through GOPROXY (%s).\nRun `go -C %s mod download` where the module proxy is reachable, "+
			"and test again.\n%v", tl.name, os.Getenv("GOPROXY"), tl.module, err)
	}
	t.Fatalf("building %s: %v", tl.name, err)
	return ""
}

// scratchRepo makes a git repository in a temporary directory holding files
// (relative path → content), committed once.
func scratchRepo(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	git(t, dir, "init", "--quiet")
	git(t, dir, "add", ".")
	git(t, dir, "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "base")
	return dir
}

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// git runs git in dir and returns its trimmed output, failing the test on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = testEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// replaceOnce returns s with old replaced by new, failing the test unless old
// occurs exactly once: an edit that no longer applies must not pass unnoticed.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%s", anchorProblem(old, n))
	}
	return strings.Replace(s, old, new, 1)
}

// anchorProblem says why an edit anchored on old does not apply, and what
// to do about it.
func anchorProblem(old string, n int) string {
	if n == 0 {
		return fmt.Sprintf("the edit expects %q, which the contract no longer has: the contract changed shape; "+
			"anchor the edit on text the contract has now", old)
	}
	return fmt.Sprintf("the edit expects %q once, found %d times (an operation or component added with the same text?): "+
		"anchor it within the block it belongs to with replaceWithin (an operationId line, a component's key)", old, n)
}

// replaceWithin is replaceOnce within the YAML block of scope, a line that
// occurs once: the lines after it up to the first less indented one (up to
// the first as indented, when scope is a key opening a block of its own). An
// edit of one operation or component stays right when another operation has
// the same text.
func replaceWithin(t *testing.T, s, scope, old, new string) string {
	t.Helper()
	if n := strings.Count(s, scope); n != 1 {
		t.Fatalf("the edit's scope: %s", anchorProblem(scope, n))
	}
	start := strings.Index(s, scope) + len(scope)
	line := strings.TrimRight(scope, "\n")
	indent := len(line) - len(strings.TrimLeft(line, " "))
	opens := strings.HasSuffix(line, ":")
	end := start
	for end < len(s) {
		next := strings.IndexByte(s[end:], '\n')
		if next < 0 {
			end = len(s)
			break
		}
		l := s[end : end+next]
		if in := len(l) - len(strings.TrimLeft(l, " ")); strings.TrimSpace(l) != "" && (in < indent || opens && in == indent) {
			break
		}
		end += next + 1
	}
	return s[:start] + replaceOnce(t, s[start:end], old, new) + s[end:]
}
