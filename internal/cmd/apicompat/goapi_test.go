package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
// function passes and is counted as compatible; a command's exported names are
// not the API; a new operation in the contract, compatible for HTTP clients,
// breaks the generated interfaces that servers implement, as
// docs/versioning.md says.
func TestGoAPICheck(t *testing.T) {
	t.Parallel()
	bin := builtTool(t, apidiff)
	files := copyModule(t)
	// An exported name in a command, to be removed below.
	files["cmd/linktoken/zz_probe.go"] = []byte("package main\n\n// Probe is exported, but not API: commands are outside it.\nfunc Probe() {}\n")
	for _, name := range []string{contractPath, "openapi/client.cfg.yaml", "openapi/client.overlay.yaml", "openapi/server.cfg.yaml", "openapi/spec.cfg.yaml"} {
		b, err := os.ReadFile(filepath.Join(moduleRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	repo := scratchRepo(t, files)
	check := func(wantCode int, wantOut ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		o := &options{root: repo, tool: bin, env: testEnv(), stdout: &stdout, stderr: &stderr}
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
		return stdout.String()
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
	check(exitBreaking, "./atlas."+old+": removed\n", "go-api-diff: exported Go API against HEAD (1 compatible change): 1 incompatible change\n")

	git(t, repo, "checkout", "--quiet", "--", ".")
	writeFile(t, filepath.Join(repo, "atlas", "zz_probe.go"), []byte("package atlas\n\n// CompatibilityProbe is new.\nfunc CompatibilityProbe() {}\n"))
	check(exitCompatible, "go-api-diff: exported Go API against HEAD (1 compatible change): no incompatible change\n")

	os.Remove(filepath.Join(repo, "atlas", "zz_probe.go"))
	if err := os.Remove(filepath.Join(repo, "cmd", "linktoken", "zz_probe.go")); err != nil {
		t.Fatal(err)
	}
	if out := check(exitCompatible, "go-api-diff: exported Go API against HEAD: no incompatible change\n"); strings.Contains(out, "cmd/") {
		t.Errorf("a command's exported name is reported:\n%s", out)
	}

	// A new operation, generated as `make generate` does, with its handler in atlastest.
	git(t, repo, "checkout", "--quiet", "--", ".")
	writeFile(t, filepath.Join(repo, contractPath), []byte(replaceOnce(t, readContract(t), "\ncomponents:\n", "\n"+newOperation+"components:\n")))
	generate := exec.Command("go", "generate", ".")
	generate.Dir, generate.Env = repo, testEnv()
	if out, err := generate.CombinedOutput(); err != nil {
		t.Fatalf("go generate: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(repo, "atlastest", "zz_probe.go"), []byte(probeHandler))
	check(exitBreaking,
		"go-api-diff: 4 incompatible changes in 2 places: ./generated/client (2), ./generated/server (2)\n",
		"./generated/server.StrictServerInterface.GetProbe: added\n",
		"./generated/server.ServerInterface.GetProbe: added\n",
		"./generated/client.ClientInterface.GetProbe: added\n",
		"./generated/client.ClientWithResponsesInterface.GetProbeWithResponse: added\n",
	)
}

// newOperation is an operation added to the contract's paths.
const newOperation = `  /orgs/{orgId}/liveMigrations/probe:
    parameters:
      - $ref: "#/components/parameters/orgId"
    get:
      operationId: getProbe
      summary: A probe.
      description: A probe added by a test.
      tags: [Cloud Migration Service]
      responses:
        "204":
          description: No content.
`

// probeHandler is newOperation's handler in atlastest, which implements the generated server interface.
const probeHandler = `package atlastest

import (
	"context"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
)

func (s *linkService) GetProbe(context.Context, server.GetProbeRequestObject) (server.GetProbeResponseObject, error) {
	return nil, nil
}
`

// TestPublicLeavesCommandsAndInternalPackagesOut: only packages importers
// can import count, internal/ at any depth and cmd/ excepted.
func TestPublicLeavesCommandsAndInternalPackagesOut(t *testing.T) {
	changes := []string{
		"./atlas.NewClient: removed",
		"./internal/wire.MediaTypeV2: removed",
		"./contract/internal/coding.Decode: changed",
		"./cmd/linktoken.Run: added",
		"./contract/redact.Exchange: added",
	}
	got := public(changes)
	want := []string{"./atlas.NewClient: removed", "./contract/redact.Exchange: added"}
	if !slices.Equal(got, want) {
		t.Errorf("public = %q, want %q", got, want)
	}
}
