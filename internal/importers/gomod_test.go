package importers

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

const module = "github.com/seed-5c49e0d7/linktoken"

// importerCases are the two ways other modules use this one, each with the
// only modules its go.mod may list after go mod tidy, and why each is there.
var importerCases = []struct {
	name  string
	files map[string]string
	// allowed is the whole list of modules, this one aside, that tidy may
	// write into the importer's go.mod: an allow-list, so a new dependency
	// anywhere under the imported packages fails here until someone decides
	// importers should carry it.
	allowed map[string]string
	// denied are modules that must stay out whatever allowed says; they
	// name the mistakes this test exists to catch.
	denied []string
}{
	{
		name: "client only",
		files: map[string]string{
			"main.go": `package main

import (
	"context"
	"fmt"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

func main() {
	c, err := atlas.NewClientFromEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = c.DeleteLinkToken(context.Background(), "4888442a3354817a7320eb61")
}
`,
		},
		allowed: map[string]string{
			"github.com/icholy/digest":           "digest authentication",
			"golang.org/x/oauth2":                "service-account (OAuth 2 client credentials) authentication",
			"github.com/oapi-codegen/runtime":    "the generated client's parameter binding",
			"github.com/apapsch/go-jsonmerge/v2": "required by oapi-codegen/runtime",
			"github.com/google/uuid":             "required by oapi-codegen/runtime's types",
		},
		denied: []string{
			"github.com/getkin/kin-openapi", // the validator and the embedded spec only
			"github.com/oapi-codegen/oapi-codegen/v2",
			"honnef.co/go/tools",
			"github.com/spf13/cobra",
			"github.com/pelletier/go-toml/v2",
		},
	},
	{
		name: "atlastest and contract in tests",
		files: map[string]string{
			"app.go": "// Package app stands for an importer's own code.\npackage app\n",
			"app_test.go": `package app

import (
	"net/http"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestAgainstTheInMemoryAtlas(t *testing.T) {
	srv := atlastest.NewServer(t)
	c := &http.Client{Transport: contract.TestTransport(t, nil)}
	resp, err := c.Get(srv.URL() + "/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
`,
		},
		allowed: map[string]string{
			"github.com/icholy/digest":                 "atlastest's digest authentication",
			"github.com/oapi-codegen/runtime":          "the generated server stubs",
			"github.com/apapsch/go-jsonmerge/v2":       "required by oapi-codegen/runtime",
			"github.com/google/uuid":                   "required by oapi-codegen/runtime's types",
			"golang.org/x/time":                        "atlastest's rate limit",
			"github.com/getkin/kin-openapi":            "the contract check and the embedded spec",
			"github.com/go-openapi/jsonpointer":        "required by kin-openapi",
			"github.com/santhosh-tekuri/jsonschema/v6": "kin-openapi's schema engine",
			"go.yaml.in/yaml/v4":                       "kin-openapi's YAML",
			"golang.org/x/text":                        "required by santhosh-tekuri/jsonschema",
			"github.com/gorilla/mux":                   "kin-openapi's gorillamux router, which the contract check routes with",
			"github.com/andybalholm/brotli":            "the contract check decodes br-encoded recorded bodies",
			"github.com/go-json-experiment/json":       "the contract check's strict JSON parsing (duplicate names, invalid UTF-8)",
		},
		denied: []string{
			"github.com/oapi-codegen/oapi-codegen/v2",
			"honnef.co/go/tools",
			"github.com/spf13/cobra",
			"github.com/pelletier/go-toml/v2",
		},
	},
}

// toolModules are what only this module's development and command use: no
// importer's go mod tidy may fetch them, not even for the tests of the
// packages it imports.
var toolModules = []string{
	"github.com/oapi-codegen/oapi-codegen/v2",
	"honnef.co/go/tools",
	"github.com/spf13/cobra",
	"github.com/pelletier/go-toml/v2",
}

// TestImporterGoModListsOnlyWhatItsImportsNeed builds, in a temporary
// directory, a module that imports this one through a replace directive,
// runs go mod tidy on it and reads the go.mod it ends with. Before the
// client left the root package, tools.go (the generator and staticcheck)
// came along with it: 24 requirements nobody importing a client wants.
func TestImporterGoModListsOnlyWhatItsImportsNeed(t *testing.T) {
	root := moduleRoot(t)
	for _, tc := range importerCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, "go.mod", "module example.com/importer\n\ngo 1.26.0\n\nrequire "+module+
				" v0.0.0-00010101000000-000000000000\n\nreplace "+module+" => "+root+"\n")
			// This checkout's checksums: tidy keeps those it needs and looks
			// up only the others (a dependency's test requirements) in GOSUMDB.
			sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "go.sum", string(sums))
			for name, content := range tc.files {
				writeFile(t, dir, name, content)
			}

			tidy(t, dir)
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			mf, err := modfile.Parse("go.mod", data, nil)
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, r := range mf.Require {
				if r.Mod.Path == module {
					continue
				}
				listed = append(listed, r.Mod.Path)
				if _, ok := tc.allowed[r.Mod.Path]; !ok {
					t.Errorf("go.mod requires %s, which no imported package should need", r.Mod.Path)
				}
				if slices.Contains(tc.denied, r.Mod.Path) {
					t.Errorf("go.mod requires %s", r.Mod.Path)
				}
			}
			for path, why := range tc.allowed {
				if !slices.Contains(listed, path) {
					// Not a leak, but the list no longer says what the
					// packages need: keep it exact.
					t.Errorf("go.mod no longer requires %s (%s): drop it from the allow-list", path, why)
				}
			}
			if t.Failed() {
				t.Logf("go.mod after go mod tidy:\n%s", data)
			}

			// Tidy also loads the tests of every imported package and keeps
			// (and fetches) the modules they import, though go.mod never
			// lists them: a tool's own checksum in go.sum means a test beside
			// an imported package still brings it along (the client's view
			// test, importing the generator, once sat in generated/client).
			sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range toolModules {
				if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(path) + ` \S+ h1:`).Match(sum) {
					t.Errorf("go mod tidy fetched %s: a test of an imported package imports it (go mod why -m %s)", path, path)
				}
			}

			// The tidied module must still build, its tests included.
			goCmd(t, dir, "vet", "./...")
		})
	}
}

// TestClientPackageImportsNoValidator checks the client's package graph
// directly: kin-openapi (and the embedded spec that needs it) belong to the
// validator and the in-memory server, never to a client-only program.
func TestClientPackageImportsNoValidator(t *testing.T) {
	out := goCmd(t, moduleRoot(t), "list", "-deps", module+"/atlas")
	for _, pkg := range strings.Fields(out) {
		for _, bad := range []string{"github.com/getkin/kin-openapi", module + "/generated/spec", module + "/contract",
			"github.com/oapi-codegen/oapi-codegen/v2", "honnef.co/go/tools", "github.com/spf13/cobra"} {
			if pkg == bad || strings.HasPrefix(pkg, bad+"/") {
				t.Errorf("package atlas depends on %s", pkg)
			}
		}
	}
}

// tidy runs go mod tidy. Tidy also reads the tests of every dependency,
// and some of those (icholy/digest's tests need go-cmp v0.5.9) live in
// modules a module cache used offline may lack; -e lets tidy finish, and
// only that kind of error, in a dependency's own tests, which never reaches
// the importer's go.mod, is tolerated. Offline and missing anything the
// importer's own packages need, the test is skipped and says why.
func tidy(t *testing.T, dir string) {
	t.Helper()
	cmd := command(t, dir, "mod", "tidy", "-e")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		skipIfOffline(t, stderr.String())
		t.Fatalf("go mod tidy: %v\n%s", err, stderr.String())
	}
	var failed []string
	for _, block := range tidyErrors(stderr.String()) {
		switch {
		case isDependencyTestGap(block):
			t.Logf("go mod tidy, in a dependency's tests only (tolerated):\n%s", block)
		case offlineReason(block) != "":
			skipIfOffline(t, block)
		default:
			failed = append(failed, block)
		}
	}
	for _, block := range failed {
		t.Errorf("go mod tidy reported:\n%s", block)
	}
}

// tidyErrors splits go's stderr into its reports, leaving out progress lines.
func tidyErrors(stderr string) []string {
	var blocks []string
	for _, line := range strings.Split(stderr, "\n") {
		switch {
		case isProgress(line), strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "go: "):
			blocks = append(blocks, line)
		case len(blocks) > 0:
			blocks[len(blocks)-1] += "\n" + line
		default:
			blocks = append(blocks, line)
		}
	}
	return blocks
}

// progress are the lines the go command prints while it fetches modules
// (to stderr, whether or not anything goes wrong): not reports.
var progress = regexp.MustCompile(`^go: (downloading|finding module for package|found|extracting|upgraded|added) `)

func isProgress(line string) bool { return progress.MatchString(line) }

var testedBy = regexp.MustCompile(`(?m)^\s*(\S+) tested by$`)

// isDependencyTestGap reports whether an error from go mod tidy is a module
// it could not fetch (offline) for the test of a package outside both the
// importer and this module.
func isDependencyTestGap(block string) bool {
	if offlineReason(block) == "" {
		return false
	}
	m := testedBy.FindAllStringSubmatch(block, -1)
	if len(m) == 0 {
		return false
	}
	last := m[len(m)-1][1]
	return !strings.HasPrefix(last, "example.com/importer") && !strings.HasPrefix(last, module)
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
