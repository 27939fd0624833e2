package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// runELines is the most lines a command's RunE may span: it hands the
// flags to its options' validate and run, and holds no logic of its own.
const runELines = 12

// TestRunEStaysThin: every command's RunE is a few lines over an options
// struct's validate and run, so the command's logic can be read, and
// tested, apart from cobra.
func TestRunEStaysThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if key, ok := kv.Key.(*ast.Ident); !ok || key.Name != "RunE" {
				return true
			}
			fn, ok := kv.Value.(*ast.FuncLit)
			if !ok {
				return true
			}
			start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
			if lines := end.Line - start.Line + 1; lines > runELines {
				t.Errorf("%s:%d: RunE spans %d lines, more than %d: move its logic to the options' validate and run", name, start.Line, lines, runELines)
			}
			return true
		})
	}
}
