package main

import (
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../../contract/testdata"

func TestCheckLiveRecordingsConform(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/recorded/*.http")
	r := runCLI(t, cliOpts{}, append([]string{"check"}, files...)...)
	if r.code != exitOK || r.stdout != "3 exchanges, 3 conform, 0 violations\n" {
		t.Fatalf("got %+v", r)
	}
}

func TestCheckReportsEachViolationAndExitsOne(t *testing.T) {
	bad := filepath.Join(fixtures, "violations/createLinkToken/201_linktoken-array_v2.http")
	good := filepath.Join(fixtures, "seed/createLinkToken_401-then-201_v1.0.http")
	r := runCLI(t, cliOpts{}, "check", bad, good)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != exitAPI || len(lines) != 2 {
		t.Fatalf("got %+v", r)
	}
	if !strings.HasPrefix(lines[0], bad+" POST /api/atlas/v2/") || !strings.HasSuffix(lines[0], "response body /linkToken: type: expected string, found array") {
		t.Errorf("violation line %q", lines[0])
	}
	if lines[1] != "3 exchanges, 2 conform, 1 violation" {
		t.Errorf("summary %q", lines[1])
	}
	if !strings.Contains(r.stderr, "1 of 3 exchanges broke the contract (1 violation)") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestCheckJSON(t *testing.T) {
	bad := filepath.Join(fixtures, "violations/deleteLinkToken/429_retry-after-not-integer_v2.http")
	r := runCLI(t, cliOpts{}, "check", "-o", "json", bad)
	if r.code != exitAPI {
		t.Fatalf("got %+v", r)
	}
	var out struct {
		Files      []string
		Violations []struct{ Exchange, Side, Part, Pointer, Rule, Expected, Found string }
		Exchanges  int
		Conform    int
		Count      int `json:"violationCount"`
		Skipped    int
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if out.Exchanges != 1 || out.Conform != 0 || out.Count != 1 || len(out.Violations) != 1 {
		t.Fatalf("%+v", out)
	}
	v := out.Violations[0]
	if v.Side != "response" || v.Part != "header" || v.Pointer != "/Retry-After" || v.Rule != "type" || v.Expected != "integer" {
		t.Errorf("%+v", v)
	}

	r = runCLI(t, cliOpts{}, "check", "-o", "json", filepath.Join(fixtures, "live/v2-delete-204.http"))
	if r.code != exitOK || !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `"violations": []`) {
		t.Errorf("got %+v", r)
	}
}

func TestCheckHAR(t *testing.T) {
	har := `{"log":{"version":"1.2","entries":[
	{"request":{"method":"GET","url":"https://cloud.mongodb.com/api/atlas/v2/groups","headers":[]},"response":{"status":200,"headers":[],"content":{"text":""}}},
	{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
	  "headers":[{"name":"authorization","value":"Bearer abc.def"}]},
	 "response":{"status":204,"headers":[{"name":"content-type","value":"application/vnd.atlas.2023-01-01+json;charset=utf-8"}],"content":{"text":""}}}]}}`
	path := writeFile(t, t.TempDir(), "traffic.har", har)
	r := runCLI(t, cliOpts{}, "check", path)
	if r.code != exitOK || r.stdout != "1 exchange, 1 conform, 0 violations, 1 skipped (not operations of the contract)\n" {
		t.Fatalf("got %+v", r)
	}
}

func TestCheckUnusableInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	truncated := write("truncated.har", `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}`)
	notHAR := write("object.har", `{"log":{"version":"1.2"}}`)
	garbage := write("garbage.http", "this is not HTTP\r\n\r\n")
	headers := write("headers.http", `Authorization: Digest username="x", response="6629fae49393a05397450978507c4ef1"`+"\r\n\r\n")
	malformed := write("malformed.http", "GET /api/atlas/v2 HTTP/1.1\r\nno colon in this header\r\n\r\n")
	emptyHAR := write("empty.har", "")
	emptyHTTP := write("empty.http", "")
	blank := write("blank.http", "\r\n\r\n  \n")
	missing := filepath.Join(dir, "missing.har")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", truncated}, truncated + ": byte"},
		{[]string{"check", notHAR}, notHAR + `: byte 25: not a HAR archive: no "log.entries"`},
		{[]string{"check", garbage}, garbage + ": neither a HAR archive (JSON starting with '{') nor raw HTTP exchanges"},
		{[]string{"check", headers}, headers + ": neither a HAR archive (JSON starting with '{') nor raw HTTP exchanges"},
		{[]string{"check", malformed}, malformed + ": message 1: request: malformed"},
		{[]string{"check", emptyHAR}, emptyHAR + ": the file is empty: nothing to check"},
		{[]string{"check", emptyHTTP}, emptyHTTP + ": the file is empty: nothing to check"},
		{[]string{"check", blank}, blank + ": the file holds only white space"},
		{[]string{"check", missing}, missing + ": no such file or directory"},
		{[]string{"check"}, "no FILE to check\nUsage: linktoken check FILE... [flags]\n"},
		{[]string{"check", "-o", "yaml", garbage}, `-o "yaml": want text, json or junit`},
	} {
		r := runCLI(t, cliOpts{}, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: got %+v, want exit 2 and %q", tc.args, r, tc.want)
		}
		if strings.Contains(r.stderr+r.stdout, "6629fae4") {
			t.Errorf("%v: the output quotes a digest response: %+v", tc.args, r)
		}
		if strings.Contains(r.stderr, "byte 0") || (strings.Contains(r.stderr, "unexpected EOF") && tc.args[len(tc.args)-1] != truncated) {
			t.Errorf("%v: a reader's error where the file was simply empty: %q", tc.args, r.stderr)
		}
	}
}

// TestCheckFailsWhenNothingWasChecked: a CI job pointed at the wrong
// archive (one with traffic, none of it link-token operations) must not pass.
func TestCheckFailsWhenNothingWasChecked(t *testing.T) {
	har := `{"log":{"version":"1.2","entries":[
	{"request":{"method":"GET","url":"https://cloud.mongodb.com/api/atlas/v2/groups","headers":[]},"response":{"status":200,"headers":[],"content":{"text":""}}},
	{"request":{"method":"GET","url":"https://example.com/","headers":[]},"response":{"status":200,"headers":[],"content":{"text":""}}}]}}`
	path := writeFile(t, t.TempDir(), "other.har", har)
	r := runCLI(t, cliOpts{}, "check", path)
	if r.code != exitNothingChecked {
		t.Fatalf("exit %d, want %d: %+v", r.code, exitNothingChecked, r)
	}
	if r.stdout != "0 exchanges, 0 conform, 0 violations, 2 skipped (not operations of the contract)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, want := range []string{"no exchange of the link-token contract in " + path, "2 other exchanges skipped", "--allow-empty"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r := runCLI(t, cliOpts{}, "check", "--allow-empty", path); r.code != exitOK || r.stderr != "" {
		t.Errorf("--allow-empty: %+v", r)
	}
	r = runCLI(t, cliOpts{}, "check", "-o", "json", path)
	var out struct {
		Exchanges, Skipped int
		Error              string
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != exitNothingChecked || out.Skipped != 2 || !strings.Contains(out.Error, "no exchange") {
		t.Errorf("-o json: %+v %v", r, err)
	}
	// One file with exchanges of the contract is enough for the whole run.
	files, _ := filepath.Glob("../../testdata/recorded/*.http")
	if r := runCLI(t, cliOpts{}, append([]string{"check", path}, files...)...); r.code != exitOK {
		t.Errorf("with recordings beside it: %+v", r)
	}
}

// TestCheckSaysOneInTheSingular: check's summary and its messages count
// one thing as "1 exchange", never "1 exchanges".
func TestCheckSaysOneInTheSingular(t *testing.T) {
	one := writeFile(t, t.TempDir(), "one.har", `{"log":{"version":"1.2","entries":[
	{"request":{"method":"GET","url":"https://cloud.mongodb.com/api/atlas/v2/groups","headers":[]},"response":{"status":200,"headers":[],"content":{"text":""}}}]}}`)
	r := runCLI(t, cliOpts{}, "check", one)
	if r.code != exitNothingChecked || !strings.Contains(r.stderr, "(1 other exchange skipped): nothing was checked") {
		t.Errorf("nothing checked: %+v", r)
	}
	bad := filepath.Join(fixtures, "violations/deleteLinkToken/429_retry-after-not-integer_v2.http")
	r = runCLI(t, cliOpts{}, "check", bad)
	if r.code != exitAPI || !strings.HasSuffix(r.stdout, "\n1 exchange, 0 conform, 1 violation\n") || !strings.Contains(r.stderr, "1 of 1 exchange broke the contract (1 violation)") {
		t.Errorf("one violation: %+v", r)
	}
}

// TestCheckFailsWhenNoResponseWasRecorded: an archive whose link-token
// requests all went unanswered (the proxy records such entries when its
// upstream never answers) judged no response: it says so and fails.
func TestCheckFailsWhenNoResponseWasRecorded(t *testing.T) {
	har := `{"log":{"version":"1.2","entries":[
	{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens","headers":[]},"response":{"status":0,"headers":[],"content":{"size":0}}}]}}`
	path := writeFile(t, t.TempDir(), "unanswered.har", har)
	r := runCLI(t, cliOpts{}, "check", path)
	if r.code != exitNothingChecked {
		t.Fatalf("exit %d, want %d: %+v", r.code, exitNothingChecked, r)
	}
	if !strings.Contains(r.stdout, "1 without a response") || strings.Contains(r.stdout+r.stderr, "credentials") {
		t.Errorf("stdout %q stderr %q: want the exchange said to have no response, and no word of credentials", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "(1 request without one): no response was checked; --allow-unanswered accepts this") {
		t.Errorf("stderr %q", r.stderr)
	}
	// The reports for programs say it too.
	r = runCLI(t, cliOpts{}, "check", "-o", "json", path)
	var doc struct{ Unanswered int }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Unanswered != 1 || r.code != exitNothingChecked {
		t.Errorf("-o json: %v %+v", err, r)
	}
	r = runCLI(t, cliOpts{}, "check", "-o", "junit", path)
	var report junitDoc
	if err := xml.Unmarshal([]byte(r.stdout), &report); err != nil || len(report.Suites) != 1 || len(report.Suites[0].Cases) != 1 ||
		!strings.HasPrefix(report.Suites[0].Cases[0].SystemOut, "no response recorded: only the request was judged") || r.code != exitNothingChecked {
		t.Errorf("-o junit: %v %+v", err, r)
	}
}

// TestCheckFailsWhenARequestWentUnanswered: a request of the contract
// without a response (the proxy exits 4 for it live and records it with
// status 0) could not be judged whole: check exits 4 too, and says so in
// every output, unless --allow-unanswered accepts it (a browser's
// cancelled request); a violation still wins.
func TestCheckFailsWhenARequestWentUnanswered(t *testing.T) {
	const del = `{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
	  "headers":[{"name":"authorization","value":"Bearer abc.def"}]},`
	const answered = del + `"response":{"status":204,"headers":[{"name":"content-type","value":"application/vnd.atlas.2023-01-01+json;charset=utf-8"}],"content":{"text":""}}}`
	const unanswered = del + `"response":{"status":0,"headers":[],"content":{"size":0}}}`
	const broken = del + `"response":{"status":418,"headers":[],"content":{"text":""}}}`
	dir := t.TempDir()
	har := func(name string, entries ...string) string {
		return writeFile(t, dir, name, `{"log":{"version":"1.2","entries":[`+strings.Join(entries, ",")+`]}}`)
	}
	mixed := har("mixed.har", answered, unanswered)
	r := runCLI(t, cliOpts{}, "check", mixed)
	if r.code != exitNoAnswer || !strings.Contains(r.stdout, "2 exchanges, 2 conform, 0 violations, 1 without a response") ||
		!strings.Contains(r.stderr, "1 request of the link-token contract without a response recorded (of 2)") || !strings.Contains(r.stderr, "--allow-unanswered") {
		t.Errorf("one of two unanswered: %+v", r)
	}
	r = runCLI(t, cliOpts{}, "check", "-o", "json", mixed)
	var doc struct {
		Unanswered int
		Error      string
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitNoAnswer || doc.Unanswered != 1 || !strings.Contains(doc.Error, "without a response recorded") {
		t.Errorf("-o json: %v %+v %+v", err, doc, r)
	}
	r = runCLI(t, cliOpts{}, "check", "-o", "junit", mixed)
	var report junitDoc
	if err := xml.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != exitNoAnswer || len(report.Suites) != 1 || report.Suites[0].Errors != 1 ||
		len(report.Suites[0].Cases) != 2 || report.Suites[0].Cases[1].Error == nil || report.Suites[0].Cases[0].Error != nil {
		t.Errorf("-o junit: %v %+v\n%s", err, report, r.stdout)
	}

	// Accepted, never silently: the summary still counts them.
	r = runCLI(t, cliOpts{}, "check", "--allow-unanswered", mixed)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 without a response") {
		t.Errorf("--allow-unanswered: %+v", r)
	}
	r = runCLI(t, cliOpts{}, "check", "--allow-unanswered", "-o", "junit", mixed)
	report = junitDoc{}
	if err := xml.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != exitOK || report.Suites[0].Errors != 0 ||
		!strings.HasPrefix(report.Suites[0].Cases[1].SystemOut, "no response recorded") {
		t.Errorf("--allow-unanswered -o junit: %v %+v", err, r)
	}
	// A recording of unanswered requests only checked no answer: 3, unless
	// accepted as such.
	if r = runCLI(t, cliOpts{}, "check", "--allow-unanswered", har("only.har", unanswered)); r.code != exitOK {
		t.Errorf("--allow-unanswered, nothing answered: %+v", r)
	}
	// A violation says more than a missing answer.
	if r = runCLI(t, cliOpts{}, "check", har("broken.har", broken, unanswered)); r.code != exitAPI {
		t.Errorf("a violation beside an unanswered request: %+v", r)
	}
}

// TestCheckReportsNotices: a response property the contract does not
// declare is a notice, printed in text and JSON, that leaves the exit
// status alone; --strict makes it a violation.
func TestCheckReportsNotices(t *testing.T) {
	file := filepath.Join(fixtures, "violations/createLinkToken/201_response-extra-property_v2.http")
	r := runCLI(t, cliOpts{}, "check", file)
	if r.code != exitOK || !strings.Contains(r.stdout, "notice: ") || !strings.Contains(r.stdout, ", 1 notice\n") {
		t.Errorf("text: %+v", r)
	}
	r = runCLI(t, cliOpts{}, "check", "-o", "json", file)
	var doc struct {
		Violations  []json.RawMessage `json:"violations"`
		Notices     []struct{ Pointer, Rule string }
		NoticeCount int `json:"noticeCount"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitOK {
		t.Fatalf("json: %v %+v", err, r)
	}
	if len(doc.Violations) != 0 || doc.NoticeCount != 1 || len(doc.Notices) != 1 || doc.Notices[0].Rule != "additionalProperties" {
		t.Errorf("json: %+v", doc)
	}
	r = runCLI(t, cliOpts{}, "check", "--strict", file)
	if r.code != exitAPI || strings.Contains(r.stdout, "notice: ") {
		t.Errorf("strict: %+v", r)
	}
}

// TestCheckInputErrorsQuoteNoSecret: a file the readers cannot use is
// named, with the place and the problem, in every output format, without
// the URL or header line that holds a secret.
func TestCheckInputErrorsQuoteNoSecret(t *testing.T) {
	dir := t.TempDir()
	har := writeFile(t, dir, "x.har", `{"log":{"entries":[{"request":{"method":"GET","url":"https://user:SECRETKEY@cloud.mongodb.com/%zz?access_token=SECRETTOKEN"}}]}}`)
	raw := writeFile(t, dir, "x.http", "GET /x HTTP/1.1\r\nAuthorization Bearer SECRETTOKEN\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
	for _, file := range []string{har, raw} {
		for _, format := range []string{"text", "json", "junit"} {
			r := runCLI(t, cliOpts{}, "check", "-o", format, file)
			out := r.stdout + r.stderr
			if r.code != exitUsage || !strings.Contains(out, file) || strings.Contains(out, "SECRET") {
				t.Errorf("%s -o %s: got %+v; want exit 2 naming the file, quoting no secret", file, format, r)
			}
		}
	}
}

// TestCheckTellsNotJudgedFromBroken: an archive whose only findings are
// bodies the check could not judge (Firefox's export without response
// bodies) exits 4, as a recording without responses does, not 1: nothing
// judged broke the contract, and the fix is the recorder's. Beside an
// exchange that does break it, the exit is 1.
func TestCheckTellsNotJudgedFromBroken(t *testing.T) {
	const tools = "../../contract/recorded/testdata/tools/"
	r := runCLI(t, cliOpts{}, "check", tools+"firefox_bodies-not-included.har")
	if r.code != exitNoAnswer || !strings.Contains(r.stderr, "could not be judged whole") || !strings.Contains(r.stdout, "not judged whole") {
		t.Errorf("exit %d; want %d, saying the exchanges could not be judged whole\nstdout: %s\nstderr: %s", r.code, exitNoAnswer, r.stdout, r.stderr)
	}
	r = runCLI(t, cliOpts{}, "check", tools+"firefox_bodies-not-included.har", tools+"chrome_violation-gzip-decoded.har")
	if r.code != exitAPI || !strings.Contains(r.stderr, "1 of ") {
		t.Errorf("exit %d; want %d, one exchange broke the contract\nstderr: %s", r.code, exitAPI, r.stderr)
	}
}
