package linktoken_test

// The Makefile's check-generated-files, run on a copy of the configs and of
// generated/'s file names: it must name every file the configs do not
// produce and pass a tree that holds only their outputs and tests. No go
// command runs, so the test is quick and needs no network.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckGeneratedFilesNamesWhatNoConfigProduces(t *testing.T) {
	makeCmd, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed; CI runs make check-generated itself")
	}
	configs, err := filepath.Glob(filepath.Join("openapi", "*.cfg.yaml"))
	if err != nil || len(configs) == 0 {
		t.Fatalf("no openapi/*.cfg.yaml: %v", err)
	}
	committed := generatedFiles(t)

	tests := []struct {
		name string
		// add lists files created under the copy's root; rename rewrites a
		// config's output: line, old path to new.
		add    []string
		rename [2]string
		// wantStray lists the files the check must name; none means it must pass.
		wantStray []string
	}{
		{name: "generated/ as it is"},
		{name: "a hand-written test beside the outputs", add: []string{"generated/client/extra_test.go", "generated/new_test.go"}},
		{name: "a .gen.go file no config names", add: []string{"generated/extra.gen.go"}, wantStray: []string{"generated/extra.gen.go"}},
		{name: "a hand-written file in a generated package", add: []string{"generated/client/helpers.go"}, wantStray: []string{"generated/client/helpers.go"}},
		{name: "any file at all, in a folder of its own", add: []string{"generated/old/old.gen.go", "generated/old/notes.txt"},
			wantStray: []string{"generated/old/notes.txt", "generated/old/old.gen.go"}},
		{name: "an output the config no longer names", rename: [2]string{"generated/spec/spec.gen.go", "generated/spec/embedded.gen.go"},
			wantStray: []string{"generated/spec/spec.gen.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			copyFile(t, "Makefile", filepath.Join(root, "Makefile"))
			for _, cfg := range configs {
				copyFile(t, cfg, filepath.Join(root, cfg))
			}
			if tt.rename[0] != "" {
				renameOutput(t, root, configs, tt.rename[0], tt.rename[1])
			}
			for _, f := range append(slices.Clone(committed), tt.add...) {
				writeFile(t, filepath.Join(root, f), "")
			}

			cmd := exec.Command(makeCmd, "-s", "--no-print-directory", "check-generated-files")
			cmd.Dir = root
			cmd.Env = withoutMakeVariables(os.Environ())
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatalf("run make: %v", err)
			}
			stray := strayFiles(string(out))
			switch {
			case len(tt.wantStray) == 0 && err != nil:
				t.Fatalf("the check failed on a clean tree:\n%s", out)
			case len(tt.wantStray) > 0 && err == nil:
				t.Fatalf("the check passed; want it to name %v\n%s", tt.wantStray, out)
			case !slices.Equal(stray, tt.wantStray):
				t.Fatalf("named %v, want %v\n%s", stray, tt.wantStray, out)
			}
		})
	}
}

// generatedFiles lists the files under generated/ as slash-separated paths.
func generatedFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("generated", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, filepath.ToSlash(path))
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("list generated/: %d files, %v", len(files), err)
	}
	return files
}

// renameOutput rewrites, in the copy at root, the config whose output: line
// names from so that it names to instead.
func renameOutput(t *testing.T, root string, configs []string, from, to string) {
	t.Helper()
	for _, cfg := range configs {
		path := filepath.Join(root, cfg)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if renamed := strings.Replace(string(raw), "\noutput: "+from+"\n", "\noutput: "+to+"\n", 1); renamed != string(raw) {
			writeFile(t, path, renamed)
			return
		}
	}
	t.Fatalf("no config has the line output: %s", from)
}

// strayFiles returns the lines of the check's output that name a file.
func strayFiles(out string) []string {
	var stray []string
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "generated/") {
			stray = append(stray, line)
		}
	}
	return stray
}

// withoutMakeVariables drops what an enclosing make (make test) passes to
// its children, so that the inner make neither inherits its flags nor tries
// to join its job server.
func withoutMakeVariables(env []string) []string {
	return slices.DeleteFunc(env, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL"
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(raw))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
