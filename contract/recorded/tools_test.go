package recorded_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// TestCheckHARAsToolsWriteIt checks archives shaped as the tools CI jobs
// record with write them (testdata/tools: README.md and each archive's
// log.comment say which tool, and from which of its sources): a faithful
// record of a conforming exchange conforms, a response that never came is
// unanswered, and a body the archive does not hold whole (left out, in a
// file of its own, cut by a failure after the status line) is reported not
// judged, never judged as empty or as whole; so are the credentials of a
// request in Chrome's default (sanitized) export, which removes them. A
// browser's CORS preflight is no exchange of the contract. Each violation is listed as
// "side rule", in order.
func TestCheckHARAsToolsWriteIt(t *testing.T) {
	const notJudged = "not judged"
	for _, tc := range []struct {
		file                           string
		exchanges, unanswered, skipped int
		violations                     []string
	}{
		{"chrome_h2-pseudo-headers.har", 3, 0, 0, nil},
		{"chrome_status-0.har", 1, 1, 0, nil},
		{"chrome_cors-preflight.har", 1, 0, 1, nil},
		{"chrome_error-after-status.har", 1, 0, 0, []string{"response " + notJudged}},
		{"chrome_no-content-text.har", 1, 0, 0, []string{"response " + notJudged}},
		{"chrome_violation-gzip-decoded.har", 1, 0, 0, []string{"response type"}},
		{"chrome_sanitized.har", 3, 0, 0, []string{"request " + notJudged, "request " + notJudged}},
		{"firefox_no-credentials.har", 1, 0, 0, []string{"request security"}},
		{"firefox_bodies-not-included.har", 1, 0, 0, []string{"response " + notJudged}},
		{"firefox_204-bodies-not-included.har", 1, 0, 0, nil},
		{"safari_size-0.har", 1, 0, 0, nil},
		{"mitmproxy_savehar-gzip.har", 3, 0, 0, nil},
		{"mitmproxy_error.har", 1, 1, 0, nil},
		{"mitmproxy_non-utf8.har", 2, 0, 1, []string{"response utf-8"}},
		{"mitmproxy_save-har.zhar", 3, 0, 0, nil},
		{"playwright_embed.har", 3, 0, 0, nil},
		{"playwright_failed.har", 1, 1, 0, nil},
		{"playwright_failed-after-status.har", 1, 0, 0, []string{"response " + notJudged}},
		{"playwright_omit.har", 1, 0, 0, []string{"request " + notJudged, "response " + notJudged}},
		{"playwright_omit-minimal.har", 2, 0, 0, []string{"request " + notJudged, "response " + notJudged, "response " + notJudged}},
		{"playwright_attach-minimal.har", 1, 0, 0, []string{"request " + notJudged, "response " + notJudged}},
		{"playwright_attach.har", 2, 0, 0, nil},
		{"playwright_recordhar.zip", 2, 0, 0, []string{"response type"}},
		{"playwright_fulfilled.har", 2, 0, 0, []string{"response media-type", "response type"}},
		{"insomnia_export.har", 2, 0, 0, nil},
		{"fiddler_gzip-base64.har", 1, 0, 0, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var rep recorded.Report
			if err := recorded.CheckFile(strict, &rep, filepath.Join("testdata", "tools", tc.file)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range rep.Violations {
				what := v.Rule
				if strings.HasSuffix(v.Found, "(not judged)") {
					what = notJudged
				}
				got = append(got, string(v.Side)+" "+what)
			}
			if rep.Exchanges != tc.exchanges || rep.Unanswered != tc.unanswered || rep.Skipped != tc.skipped || !slices.Equal(got, tc.violations) {
				t.Errorf("report %+v, violations %v; want %d exchanges, %d unanswered, %d skipped, violations %q", rep, rep.Violations, tc.exchanges, tc.unanswered, tc.skipped, tc.violations)
			}
		})
	}
	// Every archive there is in the table.
	var files []string
	for _, pattern := range []string{"*.har", "*.zhar", "*.zip"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "tools", pattern))
		files = append(files, m...)
	}
	if len(files) != 26 {
		t.Errorf("%d archives in testdata/tools, 26 in the table", len(files))
	}
}

// TestCheckHARReadsAttachedBodiesOnlyBesideIt: a _file (Playwright's
// content: 'attach') is read from the archive's directory and from nowhere
// else: a path out of it, absolute or through a symbolic link, leaves the
// body not judged, and the file outside is not read.
func TestCheckHARReadsAttachedBodiesOnlyBesideIt(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "har")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(parent, "body.dat")
	if err := os.WriteFile(outside, []byte(`{"linkToken":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.dat")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../body.dat", outside, "link.dat", "missing.dat"} {
		t.Run(name, func(t *testing.T) {
			har := `{"log":{"entries":[{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",` +
				`"headers":[{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},{"name":"Authorization","value":"Bearer abc"}]},` +
				`"response":{"status":404,"headers":[{"name":"Content-Type","value":"application/json"}],` +
				`"content":{"mimeType":"application/json","size":-1,"_file":` + strconv.Quote(name) + `}}}]}}`
			path := filepath.Join(dir, "traffic.har")
			if err := os.WriteFile(path, []byte(har), 0o600); err != nil {
				t.Fatal(err)
			}
			var rep recorded.Report
			if err := recorded.CheckFile(strict, &rep, path); err != nil {
				t.Fatal(err)
			}
			if len(rep.Violations) != 1 || !strings.Contains(rep.Violations[0].Found, "not found beside the archive (not judged)") {
				t.Errorf("violations %v; want the body not judged", rep.Violations)
			}
		})
	}
}

// TestCheckHARAttachedBodyTooLarge: a body in a _file larger than the
// check reads is cut as a text that long is, and reported with its size.
func TestCheckHARAttachedBodyTooLarge(t *testing.T) {
	dir := t.TempDir()
	body := `{"detail":"` + strings.Repeat("x", 6000) + `","error":404,"errorCode":"UNEXPECTED_ERROR"}`
	if err := os.WriteFile(filepath.Join(dir, "body.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	har := `{"log":{"entries":[{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",` +
		`"headers":[{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},{"name":"Authorization","value":"Bearer abc"}]},` +
		`"response":{"status":404,"headers":[{"name":"Content-Type","value":"application/json"}],` +
		`"content":{"mimeType":"application/json","size":-1,"_file":"body.json"}}}]}}`
	path := filepath.Join(dir, "traffic.har")
	if err := os.WriteFile(path, []byte(har), 0o600); err != nil {
		t.Fatal(err)
	}
	var rep recorded.Report
	v := contract.MustNew(contract.Strict(), contract.MaxBodyBytes(1024))
	if err := recorded.CheckFile(v, &rep, path); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(len(body)) + " bytes as recorded"
	if len(rep.Violations) != 1 || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != want {
		t.Errorf("violations %v; want one body-size violation finding %q", rep.Violations, want)
	}
}

// TestAMockedAnswerIsNamedAsTheTests: an exchange Playwright's route.fulfill
// answered is judged (a mock that breaks the contract no longer stands for
// the service), and named as the test's, so that nobody goes looking for
// the fault in the service; the entry after it, which the service
// answered, is not.
func TestAMockedAnswerIsNamedAsTheTests(t *testing.T) {
	var rep recorded.Report
	if err := recorded.CheckFile(strict, &rep, filepath.Join("testdata", "tools", "playwright_fulfilled.har")); err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) == 0 {
		t.Fatal("the mock's answer was not judged")
	}
	for _, v := range rep.Violations {
		if !strings.HasPrefix(v.Exchange, "testdata/tools/playwright_fulfilled.har#0 (answered by the test's route.fulfill, not the service) POST ") {
			t.Errorf("violation of %q; want the mocked exchange named as the test's", v.Exchange)
		}
	}
	f, err := os.Open(filepath.Join("testdata", "tools", "playwright_fulfilled.har"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seen []string
	err = recorded.ReadHAR(f, "p.har", func(ex *contract.Exchange) error {
		seen = append(seen, ex.Source)
		return nil
	})
	if err != nil || len(seen) != 2 || strings.Contains(seen[1], "route.fulfill") {
		t.Errorf("sources %q, %v; want only the first named as the test's", seen, err)
	}
}
