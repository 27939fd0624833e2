package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionPrintsTheBuildInformation(t *testing.T) {
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "c15410d8f1a2c15410d8f1a2c15410d8f1a2c154"},
			{Key: "vcs.time", Value: "2026-12-01T20:45:00Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{
			name: "installed at a release (go install …@v1.2.3 records no VCS)",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/seed-5c49e0d7/linktoken", Version: "v1.2.3"}},
			want: "linktoken v1.2.3\nbuilt with go1.26.8\n",
		},
		{
			name: "built from a clean checkout",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201204500-c15410d8f1a2"}, Settings: vcs("false")},
			want: "linktoken v0.0.0-20261201204500-c15410d8f1a2\nrevision c15410d8f1a2c15410d8f1a2c15410d8f1a2c154 2026-12-01T20:45:00Z\nbuilt with go1.26.8\n",
		},
		{
			name: "built from a checkout with uncommitted changes",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201204500-c15410d8f1a2+dirty"}, Settings: vcs("true")},
			want: "linktoken v0.0.0-20261201204500-c15410d8f1a2+dirty\nrevision c15410d8f1a2c15410d8f1a2c15410d8f1a2c154 2026-12-01T20:45:00Z (modified)\nbuilt with go1.26.8\n",
		},
		{
			name: "built without VCS stamping",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want: "linktoken (devel)\nbuilt with go1.26.8\n",
		},
		{
			name: "no build information",
			want: "linktoken (unknown version: this binary carries no build information)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			cmd := versionCmd(e, func() (*debug.BuildInfo, bool) { return tt.info, tt.info != nil })
			cmd.SetArgs(nil)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.want || stderr.Len() != 0 {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", &stdout, tt.want, &stderr)
			}
		})
	}
}

func TestVersionTakesNoArguments(t *testing.T) {
	r := runCLI(t, cliOpts{}, "version", "extra")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "extra" for "linktoken version"`) {
		t.Fatalf("got %+v", r)
	}
}

// TestVersionOfABuiltBinary builds the command as a user would and checks that
// what `linktoken version` prints is what the Go toolchain recorded in the
// binary (`go version -m`): the module version and, where the build stamped
// one, the VCS revision.
func TestVersionOfABuiltBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "linktoken")
	// Offline, from the module cache; -buildvcs=auto stamps the revision when
	// the module is in a git checkout (CI's clone is).
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("linktoken version: %v", err)
	}
	recorded, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	want := map[string]string{} // what the toolchain recorded
	for _, line := range strings.Split(string(recorded), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			want["version"] = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			want["revision"] = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if want["version"] == "" || lines[0] != "linktoken "+want["version"] {
		t.Errorf("first line %q, want the module version %q that go version -m reports:\n%s", lines[0], want["version"], recorded)
	}
	if rev := want["revision"]; rev != "" && !strings.Contains(string(out), "\nrevision "+rev) {
		t.Errorf("output lacks the recorded revision %s:\n%s", rev, out)
	}
	if last := lines[len(lines)-1]; last != "built with "+runtime.Version() {
		t.Errorf("last line %q, want %q", last, "built with "+runtime.Version())
	}
	t.Logf("linktoken version:\n%s", out)
}

func TestHelpListsVersion(t *testing.T) {
	r := runCLI(t, cliOpts{}, "--help")
	if r.code != exitOK || !strings.Contains(r.stdout, "\n  version ") {
		t.Fatalf("help does not list version: %+v", r)
	}
}
