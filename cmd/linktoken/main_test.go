package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliResult is what a user sees of one run of the command.
type cliResult struct {
	stdout, stderr string
	code           int
}

// cliOpts sets up one run; the zero value is a run with no environment and
// no terminal.
type cliOpts struct {
	stdin    string
	env      map[string]string
	terminal bool
	// signals replaces SIGINT/SIGTERM for long-running commands.
	signals context.Context
	// userConfigDir is where the Atlas CLI's config is looked for; by
	// default an empty directory, so no developer's own profile leaks in.
	userConfigDir func() (string, error)
}

// runCLI drives the command as a user would: arguments in; stdout, stderr
// and exit code out.
func runCLI(t testing.TB, o cliOpts, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if o.userConfigDir == nil {
		dir := t.TempDir()
		o.userConfigDir = func() (string, error) { return dir, nil }
	}
	e := &env{
		stdin:           io.Reader(strings.NewReader(o.stdin)),
		stdout:          &stdout,
		stderr:          &stderr,
		getenv:          func(k string) string { return o.env[k] },
		stdinIsTerminal: func() bool { return o.terminal },
		signals:         o.signals,
		userConfigDir:   o.userConfigDir,
	}
	code := run(args, e)
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	r := runCLI(t, cliOpts{}, "nope")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "nope"`) {
		t.Fatalf("got %+v", r)
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	r := runCLI(t, cliOpts{}, "--help")
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	for _, c := range []string{"create", "delete", "demo", "serve", "check", "proxy", "completion"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("help does not list %q:\n%s", c, r.stdout)
		}
	}
}

// writeFile writes content to name in dir, and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
