package main

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// junitDoc is the JUnit XML schema's part that CI systems read.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failures  []struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
			Error   *struct {
				Text string `xml:",chardata"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// Secrets the recorded traffic below carries; none may reach the report.
const (
	junitDigestResponse = "5ec0e7d16e57dead0beef00112233445"
	junitLinkToken      = "SECRETLINKTOKENx1y2z3"
	junitPrivateKey     = "SECRETPRIVATEKEY-7f3e"
	junitBearer         = "SECRETBEARER.abc.def"
)

// junitCreate is two digest-authenticated creates as raw HTTP: the first
// conforms, the second's answer has the token in an array and an
// undeclared property.
func junitCreate() string {
	req := "POST /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens HTTP/1.1\r\n" +
		"Host: cloud.mongodb.com\r\nAccept: application/vnd.atlas.2023-01-01+json\r\n" +
		"Content-Type: application/vnd.atlas.2023-01-01+json\r\n" +
		`Authorization: Digest username="pubkey", realm="MMS Public API", nonce="Q2xpZW50Tm9uY2U=", ` +
		`uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", response="` + junitDigestResponse + `", algorithm=MD5` + "\r\n"
	message := func(head, body string) string {
		return head + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body + "\r\n"
	}
	reqBody := `{"accessListIps":["192.0.2.10"]}`
	return message(req, reqBody) +
		message("HTTP/1.1 201 Created\r\nContent-Type: application/vnd.atlas.2023-01-01+json;charset=utf-8\r\n", `{"linkToken":"`+junitLinkToken+`"}`) +
		message(req, reqBody) +
		message("HTTP/1.1 201 Created\r\nContent-Type: application/vnd.atlas.2023-01-01+json;charset=utf-8\r\n", `{"linkToken":["`+junitLinkToken+`"],"privateKey":"`+junitPrivateKey+`"}`)
}

const junitHAR = `{"log":{"version":"1.2","entries":[
{"request":{"method":"GET","url":"https://cloud.mongodb.com/api/atlas/v2/groups","headers":[{"name":"Authorization","value":"Bearer ` + junitBearer + `"}]},
 "response":{"status":200,"headers":[],"content":{"text":"{\"privateKey\":\"` + junitPrivateKey + `\"}"}}},
{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
  "headers":[{"name":"authorization","value":"Bearer ` + junitBearer + `"}]},
 "response":{"status":204,"headers":[{"name":"content-type","value":"application/vnd.atlas.2023-01-01+json;charset=utf-8"}],"content":{"text":""}}}]}}`

func TestCheckJUnitReport(t *testing.T) {
	dir := t.TempDir()
	raw := writeFile(t, dir, "create.http", junitCreate())
	har := writeFile(t, dir, "traffic.har", junitHAR)
	r := runCLI(t, cliOpts{}, "check", "-o", "junit", raw, har)
	if r.code != exitAPI {
		t.Fatalf("exit %d, want %d: %+v", r.code, exitAPI, r)
	}
	for _, secret := range []string{junitDigestResponse, junitLinkToken, junitPrivateKey, junitBearer} {
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("the report carries the secret %q", secret)
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, r.stdout)
	}
	if len(doc.Suites) != 2 {
		t.Fatalf("%d suites, want one per file:\n%s", len(doc.Suites), r.stdout)
	}
	rawSuite, harSuite := doc.Suites[0], doc.Suites[1]
	if rawSuite.Name != raw || rawSuite.Tests != 2 || rawSuite.Failures != 1 || rawSuite.Skipped != 0 || len(rawSuite.Cases) != 2 {
		t.Errorf("raw file's suite: %+v", rawSuite)
	}
	if harSuite.Name != har || harSuite.Tests != 2 || harSuite.Failures != 0 || harSuite.Skipped != 1 || len(harSuite.Cases) != 2 {
		t.Errorf("HAR's suite: %+v", harSuite)
	}
	if len(rawSuite.Cases) == 2 {
		ok, bad := rawSuite.Cases[0], rawSuite.Cases[1]
		if ok.ClassName != "createLinkToken" || len(ok.Failures) != 0 || !strings.Contains(ok.Name, "POST /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens → 201") {
			t.Errorf("conforming case %+v", ok)
		}
		if bad.ClassName != "createLinkToken" || len(bad.Failures) != 1 {
			t.Errorf("want a failure per violation (type): %+v", bad)
		}
		// The undeclared response property is a notice (MongoDB adds them
		// within a version): in system-out, not a failure.
		if !strings.Contains(bad.SystemOut, "notice: ") || !strings.Contains(bad.SystemOut, `"privateKey"`) {
			t.Errorf("want the undeclared property as a notice in system-out: %q", bad.SystemOut)
		}
		rules := map[string]bool{}
		for _, f := range bad.Failures {
			rules[f.Type] = true
			if !strings.HasPrefix(f.Text, bad.Name+": ") || f.Message == "" {
				t.Errorf("failure %+v", f)
			}
		}
		if !rules["type"] {
			t.Errorf("failure types %v", rules)
		}
	}
	if len(harSuite.Cases) == 2 {
		if c := harSuite.Cases[0]; c.Skipped == nil || c.ClassName != "skipped" {
			t.Errorf("not an operation of the contract, want skipped: %+v", c)
		}
		if c := harSuite.Cases[1]; c.Skipped != nil || c.ClassName != "deleteLinkToken" || len(c.Failures) != 0 {
			t.Errorf("conforming delete: %+v", c)
		}
	}
}

// TestCheckJUnitReportsAnUnusableFile: CI shows the file that could not be
// read as an erroring test, and the exit status still says 2.
func TestCheckJUnitReportsAnUnusableFile(t *testing.T) {
	empty := writeFile(t, t.TempDir(), "empty.har", "")
	r := runCLI(t, cliOpts{}, "check", "-o", "junit", empty)
	if r.code != exitUsage {
		t.Fatalf("%+v", r)
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, r.stdout)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Errors != 1 || len(doc.Suites[0].Cases) != 1 ||
		doc.Suites[0].Cases[0].Error == nil || !strings.Contains(doc.Suites[0].Cases[0].Error.Text, "the file is empty") {
		t.Errorf("%+v", doc)
	}
}

// TestCheckStrictMakesNoticesFailures: with --strict, the undeclared
// response property is a failure too. The case's violations are one
// <failure> (CI systems keep one per test case; Jenkins drops the
// others): its type names both rules, its text has a line for each.
func TestCheckStrictMakesNoticesFailures(t *testing.T) {
	raw := writeFile(t, t.TempDir(), "create.http", junitCreate())
	r := runCLI(t, cliOpts{}, "check", "--strict", "-o", "junit", raw)
	var doc junitDoc
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 2 {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	failures := doc.Suites[0].Cases[1].Failures
	if len(failures) != 1 || r.code != exitAPI {
		t.Fatalf("exit %d, %d failures: want one for the case", r.code, len(failures))
	}
	f := failures[0]
	if f.Type != "type, additionalProperties" && f.Type != "additionalProperties, type" {
		t.Errorf("failure type %q: want both rules", f.Type)
	}
	if lines := strings.Split(f.Text, "\n"); len(lines) != 2 || !strings.Contains(f.Text, `"privateKey"`) || !strings.Contains(f.Message, "; ") {
		t.Errorf("want a line per violation in the text, both in the message: %+v", f)
	}
	for _, secret := range []string{junitLinkToken, junitPrivateKey} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("the report carries the secret %q", secret)
		}
	}
}
