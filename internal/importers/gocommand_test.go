package importers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// goCmd runs the go command in dir and returns its standard output alone:
// its standard error carries progress lines ("go: downloading …") whenever
// it fetches a module, which is no part of what a test reads. Commands in this
// checkout run with -mod=readonly, so that no test rewrites its go.mod or
// go.sum (go doc with -mod=mod once added a go.sum line to the checkout);
// commands in an importer's temporary module may write its files.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := command(t, dir, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		skipIfOffline(t, stderr.String())
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// command is the go command as the person running the tests has set it up:
// modules missing from the cache come through their GOPROXY and are checked
// against their GOSUMDB, as for any Go user, so that a fresh clone on an
// empty module cache passes. Only what would make the result depend on this
// machine is fixed: no go.work, no toolchain switch, and -mod as above.
func command(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	goBin, err := exec.LookPath("go") // go test puts its own toolchain first on PATH
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	mod := "-mod=mod"
	if inCheckout(t, dir) {
		mod = "-mod=readonly"
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+goFlags(t, goBin, mod), "GOWORK=off", "GOTOOLCHAIN=local")
	return cmd
}

var userGoFlags = sync.OnceValues(func() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goBin, "env", "GOFLAGS").Output()
	return strings.TrimSpace(string(out)), err
})

// goFlags keeps the user's GOFLAGS (from the environment or go env -w, such
// as -modcacherw for a throwaway module cache) but replaces any -mod.
func goFlags(t *testing.T, goBin, mod string) string {
	t.Helper()
	user, err := userGoFlags()
	if err != nil {
		t.Fatalf("%s env GOFLAGS: %v", goBin, err)
	}
	flags := []string{mod}
	for _, f := range strings.Fields(user) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			flags = append(flags, f)
		}
	}
	return strings.Join(flags, " ")
}

func inCheckout(t *testing.T, dir string) bool {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(moduleRoot(t), abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// offline are the go command's reports that a module could not be fetched
// at all: the network or the proxy is shut off or out of reach. Anything
// else (a missing checksum, a build error, a module the proxy does not have)
// is a failure.
var offline = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`module lookup disabled by GOPROXY=off`), "GOPROXY=off, and the module cache lacks a module this test needs"},
	{regexp.MustCompile(`dial tcp|no such host|connection refused|network is unreachable|i/o timeout|TLS handshake timeout|proxyconnect|connection reset by peer`),
		"the module proxy or checksum database is out of reach"},
}

// skipIfOffline skips the test, saying why, when the go command failed only
// because it could not reach the network for a module. The test then proves
// nothing and says so; it never passes.
func skipIfOffline(t *testing.T, out string) {
	t.Helper()
	if why := offlineReason(out); why != "" {
		t.Skipf("skipped: %s; run `go mod download` in the module with the network, or set GOPROXY, to run it.\n%s", why, offlineLines(out, 3))
	}
}

// offlineReason says why the go command's output shows it could not reach
// the network, or returns "" when it shows no such thing.
func offlineReason(out string) string {
	for _, o := range offline {
		if o.re.MatchString(out) {
			return o.why
		}
	}
	return ""
}

// offlineLines returns the first n lines of the go command's output that
// show it could not reach a module, and how many more there are.
func offlineLines(out string, n int) string {
	var lines []string
	more := 0
	for line := range strings.Lines(out) {
		if offlineReason(line) == "" {
			continue
		}
		if len(lines) == n {
			more++
			continue
		}
		lines = append(lines, strings.TrimRight(line, "\n"))
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more", more))
	}
	return strings.Join(lines, "\n")
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}
