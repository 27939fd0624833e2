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
	if _, _, err := resolveBase(context.Background(), repo, testEnv(), "", nolog); !errors.As(err, &none) {
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
		commit, name, err := resolveBase(context.Background(), repo, testEnv(), tt.asked, nolog)
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
		{args: []string{"release"}, want: "apicompat release vMAJOR.MINOR.PATCH"},
		{args: []string{"release", "v1.0.0", "extra"}, want: "apicompat release vMAJOR.MINOR.PATCH"},
		{args: []string{"release", "1.0"}, want: `release: "1.0" is not a release version`},
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

// nolog drops what resolveBase says it fetches.
func nolog(string, ...any) {}

// TestResolveBaseInIncompleteClones runs resolveBase in the clones CI runners
// make: a shallow clone fetches the history and tags it needs from its remote,
// and fails, saying how to fix the checkout, when it cannot; a clone without
// tags fetches them; only a complete repository without a release tag has no
// previous release.
func TestResolveBaseInIncompleteClones(t *testing.T) {
	t.Parallel()
	upstream := scratchRepo(t, map[string][]byte{"f": []byte("1")})
	released := git(t, upstream, "rev-parse", "HEAD")
	git(t, upstream, "tag", "v0.1.0")
	writeFile(t, filepath.Join(upstream, "f"), []byte("2"))
	git(t, upstream, "-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "2")
	bare := filepath.Join(t.TempDir(), "upstream.git")
	git(t, upstream, "clone", "--quiet", "--bare", upstream, bare)
	untagged := scratchRepo(t, map[string][]byte{"f": []byte("1")})

	clone := func(args ...string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "clone")
		git(t, upstream, append(append([]string{"clone", "--quiet"}, args...), dir)...)
		return dir
	}
	tests := []struct {
		name     string
		repo     func() string
		wantName string
		wantErr  []string // parts of the error; with wantNone, of a noReleaseError
		wantNone bool
	}{
		{
			name:     "shallow clone: fetches the history and tags",
			repo:     func() string { return clone("--depth", "1", "file://"+bare) },
			wantName: "v0.1.0",
		},
		{
			name:     "complete clone without tags: fetches them",
			repo:     func() string { return clone("--no-tags", "file://"+bare) },
			wantName: "v0.1.0",
		},
		{
			name: "shallow clone whose remote is gone: fails and says how to fix the checkout",
			repo: func() string {
				dir := clone("--depth", "1", "file://"+bare)
				git(t, dir, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))
				return dir
			},
			wantErr: []string{"this is a shallow clone", "nothing was checked", "fetch-depth: 0", "git fetch --unshallow --tags origin"},
		},
		{
			name: "shallow clone without a remote: fails",
			repo: func() string {
				dir := clone("--depth", "1", "file://"+bare)
				git(t, dir, "remote", "remove", "origin")
				return dir
			},
			wantErr: []string{"this is a shallow clone", "no remote to fetch them from", "fetch-depth: 0"},
		},
		{
			name: "complete clone without tags whose remote is gone: fails",
			repo: func() string {
				dir := clone("--no-tags", "file://"+bare)
				git(t, dir, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))
				return dir
			},
			wantErr: []string{"the tags of origin could not be fetched", "nothing was checked"},
		},
		{
			name:     "complete clone of a repository with no release: no previous release",
			repo:     func() string { return clone("file://" + untagged) },
			wantNone: true,
			wantErr:  []string{"no previous release: this repository has its complete history and every tag of origin"},
		},
		{
			name: "a release only on another branch: fails rather than skip",
			repo: func() string {
				dir := clone("file://" + untagged)
				git(t, dir, "checkout", "--quiet", "-b", "side")
				writeFile(t, filepath.Join(dir, "f"), []byte("side"))
				git(t, dir, "-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "side")
				git(t, dir, "tag", "v1.0.0")
				git(t, dir, "checkout", "--quiet", "-")
				return dir
			},
			wantErr: []string{"no release tag is in HEAD's history, but the release v1.0.0 exists", "BASE=<tag>"},
		},
		{
			name:     "complete repository without a remote and no release: no previous release",
			repo:     func() string { return untagged },
			wantNone: true,
			wantErr:  []string{"no previous release: this repository has its complete history and no remote"},
		},
	}
	t.Run("shallow clone, a base named that it lacks: says it is shallow", func(t *testing.T) {
		_, _, err := resolveBase(context.Background(), clone("--depth", "1", "file://"+bare), testEnv(), "v0.1.0", nolog)
		if err == nil || !containsAll(err.Error(), []string{`base "v0.1.0" is not a commit`, "this is a shallow clone", "fetch-depth: 0"}) {
			t.Fatalf("got %v", err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			commit, name, err := resolveBase(context.Background(), tt.repo(), testEnv(), "", nolog)
			var none *noReleaseError
			switch {
			case tt.wantErr == nil:
				if err != nil || name != tt.wantName || commit != released {
					t.Fatalf("got %s (%s), %v; want %s (%s)", commit, name, err, released, tt.wantName)
				}
			case err == nil:
				t.Fatalf("got %s (%s), want an error", commit, name)
			case errors.As(err, &none) != tt.wantNone:
				t.Fatalf("error %v: is a noReleaseError: %v, want %v", err, !tt.wantNone, tt.wantNone)
			case !containsAll(err.Error(), tt.wantErr):
				t.Fatalf("error %q lacks one of %q", err, tt.wantErr)
			}
		})
	}
}

// TestCheckWithoutABaseline: what each outcome of resolveBase does to the exit
// code: a clone that cannot reach its baseline fails (never SKIPPED); only a
// complete repository without a release says SKIPPED.
func TestCheckWithoutABaseline(t *testing.T) {
	t.Parallel()
	upstream := scratchRepo(t, map[string][]byte{"f": []byte("1")})
	git(t, upstream, "tag", "v0.1.0")
	shallow := filepath.Join(t.TempDir(), "clone")
	git(t, upstream, "clone", "--quiet", "--depth", "1", "file://"+upstream, shallow)
	git(t, shallow, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))
	complete := scratchRepo(t, map[string][]byte{"f": []byte("1")})
	for _, name := range []string{"contract", "go"} {
		c := checks[name]
		var stdout, stderr bytes.Buffer
		o := &options{root: shallow, tool: "unused", env: testEnv(), stdout: &stdout, stderr: &stderr}
		if code := c.check(context.Background(), o, ""); code != exitFailed || strings.Contains(stdout.String(), "SKIPPED") ||
			!strings.Contains(stderr.String(), c.label+": shallow clone: fetching the history and tags from origin") ||
			!strings.Contains(stderr.String(), "fetch-depth: 0") {
			t.Errorf("%s in a shallow clone that cannot fetch: exit %d, stdout %q, stderr %q; want exit %d and how to fix the checkout", name, code, &stdout, &stderr, exitFailed)
		}
		stdout.Reset()
		stderr.Reset()
		o.root = complete
		if code := c.check(context.Background(), o, ""); code != exitCompatible || !strings.HasPrefix(stdout.String(), c.label+": SKIPPED: no previous release: ") {
			t.Errorf("%s in a complete repository without a release: exit %d, stdout %q, stderr %q; want SKIPPED: no previous release", name, code, &stdout, &stderr)
		}
	}
}
