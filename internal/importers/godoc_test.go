package importers

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// publicPackage is one package as go list sees it: what go doc shows.
type publicPackage struct {
	importPath, dir string
	goFiles         []string // after build constraints, as go doc reads them
}

func listPackages(t *testing.T) []publicPackage {
	t.Helper()
	out := goCmd(t, moduleRoot(t), "list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \",\"}}", "./...")
	var pkgs []publicPackage
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("go list line %q", line)
		}
		if strings.Contains(f[0], "/internal/") {
			continue // not importable from outside: not documentation importers read
		}
		pkgs = append(pkgs, publicPackage{f[0], f[1], strings.Split(f[2], ",")})
	}
	if len(pkgs) < 7 {
		t.Fatalf("go list found only %d public packages", len(pkgs))
	}
	return pkgs
}

// TestOnePackageCommentPerPackage: go doc prints every file's package
// comment, so two files with one print the package's introduction twice
// (go doc of the generated code once printed it four times).
func TestOnePackageCommentPerPackage(t *testing.T) {
	for _, p := range listPackages(t) {
		var with []string
		for _, name := range p.goFiles {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc != nil {
				with = append(with, name)
			}
		}
		if len(with) != 1 {
			t.Errorf("%s: %d files carry a package comment, want exactly one: %v", p.importPath, len(with), with)
		}
	}
}

// Importers read MongoDB's documents and this module's public API; the
// project's own working names and unexported places mean nothing to them.
var notForImporters = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bseed (documentation|page|doc)`),
	regexp.MustCompile(`(?i)\bthe seed\b`),
	regexp.MustCompile(`\binternal/`),
}

// TestPublicDocsSpeakOfPublicThings reads every public package's go doc
// -all, as an importer (or pkg.go.dev) shows it.
func TestPublicDocsSpeakOfPublicThings(t *testing.T) {
	for _, p := range listPackages(t) {
		doc := goCmd(t, moduleRoot(t), "doc", "-all", p.importPath)
		for _, re := range notForImporters {
			for _, line := range strings.Split(doc, "\n") {
				if re.MatchString(line) {
					t.Errorf("go doc %s: %q", p.importPath, strings.TrimSpace(line))
				}
			}
		}
	}
}
