package main

import (
	"bufio"
	"fmt"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// checkJUnit builds check's JUnit report (see junit.go): one suite per
// file, one test case per exchange, failing with its violations (one line
// each), its notices in system-out, a skipped case for an exchange that is
// not an operation of the contract, and an erroring case for a file that
// could not be used or a request without a recorded response (unless
// --allow-unanswered).
//
// To keep memory bounded whatever the archives' size, the report lists the
// first reportListCap failing cases and the first reportListCap others;
// the suites' counts cover every exchange, and a suite that leaves cases
// out says how many in its system-out. Nothing secret reaches the report:
// names and violations never copy a credential or a link-token (package
// contract's guarantee), and nothing else is written.
type checkJUnit struct {
	doc             junit.Testsuites
	suite           junit.Testsuite // the current file's
	failing, others int             // cases listed so far, over every file
	started         time.Time       // when the current file's check began
	// allowUnanswered: a request without a response passes (--allow-unanswered).
	allowUnanswered bool
}

func (j *checkJUnit) attach(rep *recorded.Report) {
	j.started = time.Now()
	rep.OnExchange = j.exchange
	// The test cases carry the findings: the report need not keep them.
	rep.Emit, rep.EmitNotice = func(*contract.Violation) {}, func(*contract.Violation) {}
}

// exchange is Report.OnExchange: one test case.
func (j *checkJUnit) exchange(x recorded.ExchangeResult) {
	tc := junit.Testcase{Classname: x.Operation, Name: x.Name}
	if x.Skipped {
		tc.Classname = "skipped"
		tc.Skipped = &junit.Result{Message: "not an operation of the link-token contract"}
	}
	var out string
	if x.Unanswered {
		out += "no response recorded: only the request was judged\n"
	}
	if len(x.Violations) > 0 {
		var fs []finding
		for _, v := range x.Violations {
			fs = append(fs, finding{message: v.Summary(), kind: v.Rule, text: v.Error()})
		}
		tc.Failure = junitFailure(fs, "")
	} else if x.Unanswered && !j.allowUnanswered {
		tc.Error = &junit.Result{Message: "no response recorded: what the service answered was not checked", Type: "unanswered"}
	}
	if x.MoreViolations > 0 {
		out += plural.Count(x.MoreViolations, "more violation") + " not listed\n"
	}
	for _, n := range x.Notices {
		out += "notice: " + n.Error() + "\n"
	}
	if x.MoreNotices > 0 {
		out += plural.Count(x.MoreNotices, "more notice") + " not listed\n"
	}
	tc.SystemOut = junitOutput(out)
	j.add(tc)
}

// add counts tc in the suite, and lists it unless the cap of its kind is
// reached.
func (j *checkJUnit) add(tc junit.Testcase) {
	listed := &j.others
	if tc.Failure != nil || tc.Error != nil {
		listed = &j.failing
	}
	j.suite.AddTestcase(tc)
	if *listed >= reportListCap {
		j.suite.Testcases = j.suite.Testcases[:len(j.suite.Testcases)-1] // counted, not listed
		return
	}
	*listed++
}

// endFile closes the file's suite; a file that could not be used is an
// erroring test case in it.
func (j *checkJUnit) endFile(file string, err error) {
	if err != nil {
		j.add(junit.Testcase{Classname: "input", Name: file, Error: &junit.Result{Message: "the file cannot be used", Type: "input", Data: err.Error()}})
	}
	j.suite.Name, j.suite.Time = file, junitSeconds(time.Since(j.started))
	if left := j.suite.Tests - len(j.suite.Testcases); left > 0 {
		j.suite.SystemOut = junitOutput(fmt.Sprintf("%d of %s not listed: the report lists the first %d failing and the first %d other exchanges of the run",
			left, plural.Count(j.suite.Tests, "test case"), reportListCap, reportListCap))
	}
	j.doc.Suites = append(j.doc.Suites, j.suite)
	j.suite, j.started = junit.Testsuite{}, time.Now()
}

func (j *checkJUnit) write(out *bufio.Writer, _ *recorded.Report, _, _ error) error {
	j.doc.Name = "linktoken check"
	return writeJUnit(out, j.doc)
}
