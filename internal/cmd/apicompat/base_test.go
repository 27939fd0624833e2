package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveBase(t *testing.T) {
	t.Parallel()
	repo := scratchRepo(t, map[string][]byte{"f": []byte("1")})
	commit := func(content string) string {
		writeFile(t, filepath.Join(repo, "f"), []byte(content))
		git(t, repo, "-c", "commit.gpgsign=false", "commit", "--quiet", "-am", content)
		return git(t, repo, "rev-parse", "HEAD")
	}
	first := git(t, repo, "rev-parse", "HEAD")

	var none *noReleaseError
	if _, _, err := resolveBase(context.Background(), repo, offlineEnv(), ""); !errors.As(err, &none) {
		t.Fatalf("without tags: got %v, want a noReleaseError", err)
	}

	git(t, repo, "tag", "v0.9.0")
	second := commit("2")
	git(t, repo, "tag", "v0.10.0") // newer than v0.9.0 in version order, older in byte order
	git(t, repo, "tag", "release-2")
	third := commit("3")
	git(t, repo, "tag", "v0.11.0-rc.1") // a pre-release promises nothing
	git(t, repo, "checkout", "--quiet", "-b", "side")
	side := commit("side")
	git(t, repo, "tag", "v9.9.9") // not merged into main's HEAD
	git(t, repo, "checkout", "--quiet", "-")
	commit("4")
	git(t, repo, "tag", "v0.12.0") // HEAD's own: compared with the release before it

	tests := []struct {
		asked                string
		wantCommit, wantName string
		wantErr              string
	}{
		{asked: "", wantCommit: second, wantName: "v0.10.0"},
		{asked: "HEAD~3", wantCommit: first, wantName: "HEAD~3"},
		{asked: third, wantCommit: third, wantName: third},
		{asked: "v9.9.9", wantCommit: side, wantName: "v9.9.9"}, // any revision may be named
		{asked: "no-such-revision", wantErr: `base "no-such-revision" is not a commit of this repository`},
		{asked: "--all", wantErr: `base "--all" is not a commit of this repository`},
	}
	for _, tt := range tests {
		commit, name, err := resolveBase(context.Background(), repo, offlineEnv(), tt.asked)
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("asked %q: error %v, want %q", tt.asked, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("asked %q: %v", tt.asked, err)
		case commit != tt.wantCommit || name != tt.wantName:
			t.Errorf("asked %q: got %s (%s), want %s (%s)", tt.asked, commit, name, tt.wantCommit, tt.wantName)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{args: nil, want: "usage: apicompat contract|go"},
		{args: []string{"openapi"}, want: "usage: apicompat contract|go"},
		{args: []string{"go", "extra"}, want: "usage: apicompat contract|go"},
		{args: []string{"contract", "-nope"}, want: "flag provided but not defined: -nope"},
		{args: []string{"contract", "-base", "no-such-revision"}, want: `api-diff: base "no-such-revision" is not a commit of this repository`},
		{args: []string{"go", "-base", "no-such-revision"}, want: `go-api-diff: base "no-such-revision" is not a commit of this repository`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != exitFailed || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tt.args, code, &stderr, exitFailed, tt.want)
		}
	}
}
