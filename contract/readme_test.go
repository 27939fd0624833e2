package contract_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEveryRuleHasARowInTheReadme: contract/README.md's tables are where a
// user learns what each violation's rule means and where it comes from, so
// every Rule… constant the package exports has a row there that names it.
// The constants are read from the source, so a new one fails the test until
// its row is written.
func TestEveryRuleHasARowInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	rules := exportedRules(t)
	if len(rules) < 10 {
		t.Fatalf("found %d Rule constants, want them all: %v", len(rules), rules)
	}
	for name, value := range rules {
		found := false
		for _, row := range rows {
			found = found || strings.Contains(row, "`"+value+"`")
		}
		if !found {
			t.Errorf("%s (%q) has no row in contract/README.md", name, value)
		}
	}
}

// exportedRules reads the Rule… string constants from the package's
// non-test sources.
func exportedRules(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Rule") || !name.IsExported() || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						rules[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return rules
}
