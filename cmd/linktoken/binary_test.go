package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// builtBinary builds the command once per test run (the go command with
// the module cache only: no network) and returns its path; TestMain
// removes it.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "linktoken-bin-"); buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "linktoken")
		if runtime.GOOS == "windows" {
			buildBin += ".exe"
		}
		build := exec.Command("go", "build", "-o", buildBin, ".")
		// -mod=readonly: a build in the checkout never rewrites its go.mod
		// or go.sum (internal/importers fails the run when one changes, and
		// .ci/run when the checkout does).
		build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOTOOLCHAIN=local")
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestBuiltBinaryExitCodes builds the command once and checks the exit codes
// its help and the docs promise, as a CI job sees them: go run would turn
// every failure into 1, so only a built binary shows 2 and 3.
func TestBuiltBinaryExitCodes(t *testing.T) {
	dir := t.TempDir()
	bin := builtBinary(t)

	srv := testatlas.NewServer(t)
	// A config home with an Atlas CLI profile, found through the binary's
	// own os.UserConfigDir.
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".config", "atlascli"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "atlascli", "config.toml"), []byte(profileTable("dev", srv, orgDev)), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.har")
	if err := os.WriteFile(other, []byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://example.com/","headers":[]},"response":{"status":200,"headers":[],"content":{"text":""}}}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	recorded, _ := filepath.Glob("../../testdata/recorded/*.http")
	violation := filepath.Join(fixtures, "violations/createLinkToken/201_linktoken-array_v2.http")
	wrongKey := []string{atlas.EnvPublicAPIKey + "=" + srv.PublicKey(), atlas.EnvPrivateAPIKey + "=wrong-private-key", atlas.EnvBaseURL + "=" + srv.URL()}

	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string // in stderr
	}{
		{"conforming traffic", nil, append([]string{"check"}, recorded...), 0, ""},
		{"a violation", nil, []string{"check", violation}, 1, "broke the contract"},
		{"an API error", wrongKey, []string{"create", "--orgId", orgDefault}, 1, "401"},
		{"a missing file", nil, []string{"check", filepath.Join(dir, "missing.har")}, 2, "no such file"},
		{"no file", nil, []string{"check"}, 2, "Usage: linktoken check FILE..."},
		{"an unknown flag", nil, []string{"create", "--nope"}, 2, "unknown flag"},
		{"no exchange of the contract", nil, []string{"check", other}, 3, "--allow-empty"},
		{"no exchange, allowed", nil, []string{"check", "--allow-empty", other}, 0, ""},
		{"a profile", nil, []string{"create", "-P", "dev"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append([]string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=" + os.Getenv("PATH")}, tt.env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("%v: exit %d, want %d; stderr %q, want %q in it", tt.args, code, tt.code, stderr.String(), tt.want)
			}
		})
	}
	if _, ok := srv.LinkToken(orgDev); !ok {
		t.Error("create -P dev made no link with the profile's settings")
	}
}
