package recorded_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// digestLine is an Authorization header line of a digest handshake: what a
// wrong file (headers saved alone, a log) may start with.
const digestLine = `Authorization: Digest username="x", response="6629fae49393a05397450978507c4ef1"` + "\r\n"

// TestCheckFileRefusesWhatIsNotInput: a file that is empty, only white
// space, or neither kind is refused as such, in words a user can act on,
// and not with a reader's error (a byte offset into JSON, a malformed
// header) meant for a file of the right kind; it quotes nothing of the
// file.
func TestCheckFileRefusesWhatIsNotInput(t *testing.T) {
	const neither = `: neither a HAR archive (JSON starting with '{') nor raw HTTP exchanges ` +
		`(a request line such as "POST /api/atlas/v2/orgs/… HTTP/1.1" or a status line such as "HTTP/1.1 201 Created" first)`
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"empty", "x.http", "", ": the file is empty: nothing to check"},
		{"empty, named .har", "x.har", "", ": the file is empty: nothing to check"},
		{"white space", "x.http", "\r\n\r\n \t\n", ": the file holds only white space: nothing to check"},
		{"white space, named .har", "x.har", "\n\n", ": the file holds only white space: nothing to check"},
		{"a byte order mark alone", "x.http", "\uFEFF\n", ": the file holds only white space: nothing to check"},
		{"text", "x.http", "this is not HTTP\r\n\r\n", neither},
		{"a header line first", "x.http", digestLine + "\r\n", neither},
		{"a header line first, named .txt", "x.txt", digestLine + "Host: cloud.mongodb.com\r\n\r\n", neither},
		{"white space, then a byte order mark and JSON", "x.json", " \n\uFEFF{\"log\":{\"entries\":[]}}", neither},
		{"JSON, named .zhar", "x.zhar", `{"log":{"entries":[]}}`, ": not a zlib-compressed HAR archive (.zhar, as mitmproxy writes it): zlib: invalid header"},
		{"JSON, named .zip", "x.zip", `{"log":{"entries":[]}}`, ": not a zip archive of a HAR (as Playwright's recordHar writes it): zip: not a valid zip file"},
		{"a zip without har.har", "x.zip", zipOf(t, "traffic.har"), ": a zip without har.har, where Playwright's recordHar puts the archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, rep, err := checkContent(t, tc.file, tc.content)
			var ie *recorded.InputError
			if !errors.As(err, &ie) || err.Error() != path+tc.want {
				t.Fatalf("got %v; want an *InputError %q", err, path+tc.want)
			}
			if strings.Contains(err.Error(), "6629fae4") || strings.Contains(err.Error(), "Digest") {
				t.Errorf("the error quotes the file: %q", err)
			}
			if rep.Exchanges != 0 || rep.Skipped != 0 {
				t.Errorf("report %+v of a file that holds nothing to check", rep)
			}
		})
	}
}

// TestCheckFileDecidesAsItsReadersRead: the file's kind is decided past a
// byte order mark at its start and white space, as each reader reads past
// them, so that what is decided to be HAR or raw HTTP is read as such, and
// a byte order mark anywhere else is no start of either. (Before, the
// command refused white space then a byte order mark then '{', which
// CheckFile took for HAR; and a raw file with a byte order mark was let
// through to a reader that refused its request line.)
func TestCheckFileDecidesAsItsReadersRead(t *testing.T) {
	raw, err := os.ReadFile("../testdata/conforming/createLinkToken/201_v2.http")
	if err != nil {
		t.Fatal(err)
	}
	const har = `{"log":{"entries":[{"request":{"method":"GET","url":"https://example.com/","headers":[]},` +
		`"response":{"status":200,"headers":[],"content":{"text":""}}}]}}`
	// A query of 9,000 parameters: a request line of 100 KB, longer than
	// what the decision looks at, yet within what a server reads.
	longQuery := strings.Replace(string(raw), "linkTokens HTTP/1.1", "linkTokens?"+strings.Repeat("pretty=false&", 9000)+"pretty=true HTTP/1.1", 1)
	for _, tc := range []struct {
		name, file, content string
		exchanges, skipped  int // what the check counts: 1, 0 for the raw file; 0, 1 for the archive
		wantErr             string
	}{
		{"HAR", "x.json", har, 0, 1, ""},
		{"a byte order mark, then HAR", "x.json", "\uFEFF" + har, 0, 1, ""},
		{"a byte order mark, white space, then HAR", "x.json", "\uFEFF \r\n\t" + har, 0, 1, ""},
		{"raw HTTP", "x.http", string(raw), 1, 0, ""},
		{"a byte order mark, then raw HTTP", "x.http", "\uFEFF" + string(raw), 1, 0, ""},
		{"a byte order mark, white space, then raw HTTP", "x.http", "\uFEFF\r\n\r\n" + string(raw), 1, 0, ""},
		{"raw HTTP with a request line longer than the decision looks at", "x.http", longQuery, 1, 0, ""},
		{"white space, a byte order mark, then HAR", "x.json", " \n\uFEFF" + har, 0, 0, "neither a HAR archive"},
		{"white space, a byte order mark, then raw HTTP", "x.http", "\r\n\uFEFF" + string(raw), 0, 0, "neither a HAR archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rep, err := checkContent(t, tc.file, tc.content)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v; want %q", err, tc.wantErr)
			}
			if rep.Exchanges != tc.exchanges || rep.Skipped != tc.skipped {
				t.Errorf("report %+v; want %d exchanges, %d skipped", rep, tc.exchanges, tc.skipped)
			}
		})
	}
}

// checkContent checks a file named name holding content with CheckFile.
func checkContent(t *testing.T, name, content string) (path string, rep recorded.Report, err error) {
	t.Helper()
	path = filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	err = recorded.CheckFile(strict, &rep, path)
	return path, rep, err
}

// zipOf is a zip holding an empty archive named name.
func zipOf(t *testing.T, name string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write([]byte(`{"log":{"entries":[]}}`))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
