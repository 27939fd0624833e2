package importers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain fails the run when any test here changed the checkout's go.mod
// or go.sum: these tests run the go command in the checkout, and a test run
// that rewrites the module leaves `git status` dirty and every binary built
// afterwards marked modified.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := checkoutUnchanged(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// moduleFiles holds the checkout's module files as they were when the
// package's tests started.
var moduleFiles = func() map[string][]byte {
	files := map[string][]byte{}
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			panic(err)
		}
		files[name] = data
	}
	return files
}()

func checkoutUnchanged() error {
	for name, before := range moduleFiles {
		after, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			return err
		}
		if !bytes.Equal(before, after) {
			return fmt.Errorf("FAIL: the tests of internal/importers changed the checkout's %s; run the go command there with -mod=readonly", name)
		}
	}
	return nil
}
