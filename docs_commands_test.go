package linktoken_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unpublished matches, in a command, a version of this module or a version
// placeholder: no release of the module is tagged or published, so `go
// install …@<version>` or `…@v0.1.0` fails for everyone who copies it. A doc
// hands users only commands that work today; the day a release is tagged,
// this test goes with the sentence "no release is tagged yet" in the docs.
var unpublished = regexp.MustCompile(`github\.com/seed-5c49e0d7/linktoken\S*@|@<[a-z ]*version>|@v0\.1\.0\b`)

// TestDocsCommandsWorkToday reads every code block of every Markdown file,
// and of every Go doc comment (what go doc and pkg.go.dev show), and fails on
// a command that installs or runs a version of this module.
func TestDocsCommandsWorkToday(t *testing.T) {
	var docs int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		find := unpublishedCommands
		switch {
		case d.IsDir():
			return nil
		case filepath.Ext(path) == ".go":
			find = unpublishedInComments
		case filepath.Ext(path) != ".md":
			return nil
		default:
			docs++
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range find(string(data)) {
			t.Errorf("%s:%d: %s: no release of this module exists; build from a checkout (go install ./cmd/linktoken)", path, bad.line, bad.text)
		}
		return nil
	})
	if err != nil || docs < 5 {
		t.Fatalf("read %d Markdown files: %v", docs, err)
	}
}

type docLine struct {
	line int
	text string
}

// unpublishedCommands returns the lines of the document's fenced code blocks
// that name a version of this module.
func unpublishedCommands(doc string) []docLine {
	var bad []docLine
	inCode := false
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if inCode && unpublished.MatchString(line) {
			bad = append(bad, docLine{i + 1, strings.TrimSpace(line)})
		}
	}
	return bad
}

// unpublishedInComments returns the lines of a Go file's comment code
// blocks (indented by a tab after "//") that name a version of this module.
func unpublishedInComments(src string) []docLine {
	var bad []docLine
	for i, line := range strings.Split(src, "\n") {
		if code, ok := strings.CutPrefix(strings.TrimSpace(line), "//\t"); ok && unpublished.MatchString(code) {
			bad = append(bad, docLine{i + 1, strings.TrimSpace(code)})
		}
	}
	return bad
}

func TestUnpublishedCommandsAreFound(t *testing.T) {
	doc := "Once a release is tagged, `go install github.com/seed-5c49e0d7/linktoken/cmd/linktoken@vX.Y.Z` works.\n" +
		"```sh\ngo install ./cmd/linktoken\ngo install github.com/seed-5c49e0d7/linktoken/cmd/linktoken@latest\n```\n" +
		"```yaml\n    - go install x/cmd/linktoken@${LINKTOKEN_VERSION}\n    LINKTOKEN_VERSION: v0.1.0\n    - run: go install github.com/x/y@<version>\n```\n"
	got := unpublishedCommands(doc)
	want := []int{4, 9}
	src := "// Install it:\n//\n//\tgo install ./cmd/linktoken\n//\n//\tgo install github.com/seed-5c49e0d7/linktoken/cmd/linktoken@<version>\npackage main\n"
	if in := unpublishedInComments(src); len(in) != 1 || in[0].line != 5 {
		t.Errorf("in a doc comment: found %v, want line 5", in)
	}
	if len(got) != len(want) {
		t.Fatalf("found %v, want lines %v", got, want)
	}
	for i, g := range got {
		if g.line != want[i] {
			t.Errorf("found line %d (%s), want line %d", g.line, g.text, want[i])
		}
	}
}
