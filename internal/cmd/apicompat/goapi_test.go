package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyModule copies what it takes to build this module's packages (go.mod,
// go.sum and every non-test Go file, but no testdata and no nested module) into
// a map for scratchRepo.
func copyModule(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(moduleRoot, path)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || exists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "go.mod" || rel == "go.sum" || (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) {
			b, err := os.ReadFile(path)
			files[filepath.ToSlash(rel)] = b
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestGoAPICheck runs the check as `make go-api-diff BASE=HEAD` does, on a
// scratch copy of this module: renaming an exported function (callers and all,
// so that the module still builds) fails and names the old name; a new exported
// function passes and is counted as compatible.
func TestGoAPICheck(t *testing.T) {
	t.Parallel()
	bin := builtTool(t, apidiff)
	repo := scratchRepo(t, copyModule(t))
	check := func(wantCode int, wantOut ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		o := &options{root: repo, tool: bin, env: offlineEnv(), stdout: &stdout, stderr: &stderr}
		code := checks["go"].check(context.Background(), o, "HEAD")
		if code != wantCode {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, &stdout, &stderr)
		}
		for _, w := range wantOut {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("stdout lacks %q:\n%s", w, &stdout)
			}
		}
		if worktrees := git(t, repo, "worktree", "list"); strings.Count(worktrees, "\n") != 0 {
			t.Errorf("the check left a worktree behind:\n%s", worktrees)
		}
	}

	// The rename, as a refactoring tool would do it: every use in the module.
	const old, renamed = "NewClientFromEnv", "NewClientFromEnvironment"
	word := regexp.MustCompile(`\b` + old + `\b`)
	uses := 0
	for _, name := range strings.Fields(git(t, repo, "grep", "-l", "-w", old, "--", "*.go")) {
		path := filepath.Join(repo, name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		uses += len(word.FindAll(b, -1))
		writeFile(t, path, word.ReplaceAll(b, []byte(renamed)))
	}
	if uses == 0 {
		t.Fatalf("atlas.%s is gone from the module: rename another exported function in this test", old)
	}
	check(exitBreaking, "./atlas."+old+": removed\n", "go-api-diff: exported Go API against HEAD (1 compatible changes): 1 incompatible change\n")

	git(t, repo, "checkout", "--quiet", "--", ".")
	writeFile(t, filepath.Join(repo, "atlas", "zz_probe.go"), []byte("package atlas\n\n// CompatibilityProbe is new.\nfunc CompatibilityProbe() {}\n"))
	check(exitCompatible, "go-api-diff: exported Go API against HEAD (1 compatible changes): no incompatible change\n")
}
