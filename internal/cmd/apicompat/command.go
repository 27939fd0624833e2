package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// command runs name with args in dir and returns its stdout. A failure carries
// the command line and the end of its stderr, which is where go, git and the
// tools say what went wrong.
func command(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s (in %s): %w\n%s", name, strings.Join(args, " "), dir, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes(), nil
}

// gitOutput runs git and returns its trimmed output.
func gitOutput(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	out, err := command(ctx, dir, env, "git", args...)
	return strings.TrimSpace(string(out)), err
}

// tail keeps the last n bytes of s, so one failure cannot flood the log.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
