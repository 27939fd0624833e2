package main

import (
	"bufio"
	"fmt"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// checkJUnit builds check's JUnit report (see junit.go): one suite per
// file, one test case per exchange, one failure per violation, its notices
// in system-out, a skipped case for an exchange that is not an operation
// of the contract, and an erroring case for a file that could not be used.
//
// To keep memory bounded whatever the archives' size, the report lists the
// first reportListCap failing cases and the first reportListCap others;
// the suites' counts cover every exchange, and a suite that leaves cases
// out says how many in its system-out. Nothing secret reaches the report:
// names and violations never copy a credential or a link-token (package
// contract's guarantee), and nothing else is written.
type checkJUnit struct {
	doc             junitReport
	suite           junitSuite // the current file's
	failing, others int        // cases listed so far, over every file
}

func (j *checkJUnit) attach(rep *recorded.Report) {
	rep.OnExchange = j.exchange
	// The test cases carry the findings: the report need not keep them.
	rep.Emit, rep.EmitNotice = func(*contract.Violation) {}, func(*contract.Violation) {}
}

// exchange is Report.OnExchange: one test case.
func (j *checkJUnit) exchange(x recorded.ExchangeResult) {
	tc := junitCase{ClassName: x.Operation, Name: x.Name}
	if x.Skipped {
		tc.ClassName = "skipped"
		tc.Skipped = &junitSkipped{Message: "not an operation of the link-token contract"}
	}
	if x.Unanswered {
		tc.SystemOut += "no response recorded: only the request was judged\n"
	}
	for _, v := range x.Violations {
		where := string(v.Side) + " " + string(v.Part)
		if v.Pointer != "" {
			where += " " + v.Pointer
		}
		tc.Failures = append(tc.Failures, junitFailure{Message: where + ": " + v.Rule, Type: v.Rule, Text: v.Error()})
	}
	if x.MoreViolations > 0 {
		tc.SystemOut += fmt.Sprintf("%d more violations not listed\n", x.MoreViolations)
	}
	for _, n := range x.Notices {
		tc.SystemOut += "notice: " + n.Error() + "\n"
	}
	if x.MoreNotices > 0 {
		tc.SystemOut += fmt.Sprintf("%d more notices not listed\n", x.MoreNotices)
	}
	j.add(tc)
}

// add lists tc unless the cap of its kind is reached, and counts it.
func (j *checkJUnit) add(tc junitCase) {
	listed := &j.others
	if tc.failed() || tc.Error != nil {
		listed = &j.failing
	}
	if *listed >= reportListCap {
		j.suite.count(&tc)
		return
	}
	*listed++
	j.suite.add(tc)
}

// endFile closes the file's suite; a file that could not be used is an
// erroring test case in it.
func (j *checkJUnit) endFile(file string, err error) {
	if err != nil {
		j.add(junitCase{ClassName: "input", Name: file, Error: &junitFailure{Message: "the file cannot be used", Type: "input", Text: err.Error()}})
	}
	j.suite.Name = file
	if left := j.suite.Tests - len(j.suite.Cases); left > 0 {
		j.suite.SystemOut = fmt.Sprintf("%d of %d test cases not listed: the report lists the first %d failing and the first %d other exchanges of the run",
			left, j.suite.Tests, reportListCap, reportListCap)
	}
	j.doc.Suites = append(j.doc.Suites, j.suite)
	j.suite = junitSuite{}
}

func (j *checkJUnit) write(out *bufio.Writer, _ *recorded.Report, _, _ error) error {
	j.doc.Name = "linktoken check"
	return writeJUnit(out, j.doc)
}
