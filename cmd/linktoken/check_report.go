package main

import (
	"bufio"
	"fmt"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// checkWriter is one of check's output formats.
type checkWriter interface {
	// attach sets the report's hooks, which receive the findings in order.
	attach(rep *recorded.Report)
	// endFile is called after each file, with the error that made it
	// unusable, if any (then it is the last).
	endFile(file string, err error)
	// write ends the output: inputErr is a file that could not be used,
	// nothingErr a run that checked nothing.
	write(out *bufio.Writer, rep *recorded.Report, inputErr, nothingErr error) error
}

// checkText prints each finding on its line as it is found, then the
// summary: any amount of traffic in bounded memory.
type checkText struct{ out *bufio.Writer }

func (t *checkText) attach(rep *recorded.Report) {
	rep.Emit = func(x *contract.Violation) {
		t.out.WriteString(x.Error())
		t.out.WriteByte('\n')
	}
	rep.EmitNotice = func(x *contract.Violation) {
		t.out.WriteString("notice: ")
		t.out.WriteString(x.Error())
		t.out.WriteByte('\n')
	}
}

func (t *checkText) endFile(string, error) {}

func (t *checkText) write(out *bufio.Writer, rep *recorded.Report, inputErr, _ error) error {
	if inputErr == nil {
		fmt.Fprintln(out, rep.Summary())
	}
	return nil
}

// checkJSON is check's JSON document; its field names are part of the
// command's output format. It keeps the first reportListCap violations and
// notices, and counts the rest.
type checkJSON struct {
	Files       []string              `json:"files"`
	Violations  []*contract.Violation `json:"violations"`
	Notices     []*contract.Violation `json:"notices"`
	Exchanges   int                   `json:"exchanges"`
	Conform     int                   `json:"conform"`
	Count       int                   `json:"violationCount"`
	NoticeCount int                   `json:"noticeCount"`
	Skipped     int                   `json:"skipped"`
	// Unanswered counts the exchanges whose response was not recorded:
	// only their requests were judged.
	Unanswered int `json:"unanswered"`
	// NotJudged counts the exchanges whose only findings are bodies (or
	// credentials) the check could not judge.
	NotJudged int `json:"notJudged"`
	// ViolationsNotListed and NoticesNotListed count the findings the
	// lists leave out: beyond reportListCap, or beyond what the contract
	// check lists of one exchange.
	ViolationsNotListed int `json:"violationsNotListed,omitempty"`
	NoticesNotListed    int `json:"noticesNotListed,omitempty"`
	// Error says why the run could not judge: a file it could not use, no
	// exchange of the contract, or requests without a response recorded
	// (unless --allow-unanswered).
	Error string `json:"error,omitempty"`
}

func newCheckJSON(files []string) *checkJSON {
	return &checkJSON{Files: files, Violations: []*contract.Violation{}, Notices: []*contract.Violation{}}
}

func (j *checkJSON) attach(rep *recorded.Report) {
	rep.Emit = func(x *contract.Violation) {
		if len(j.Violations) < reportListCap {
			j.Violations = append(j.Violations, x)
		}
	}
	rep.EmitNotice = func(x *contract.Violation) {
		if len(j.Notices) < reportListCap {
			j.Notices = append(j.Notices, x)
		}
	}
}

func (j *checkJSON) endFile(string, error) {}

// findings is how many findings list holds: its entries but for those that
// only say what a result left out (contract.RuleOmitted), which are not
// counted.
func findings(list []*contract.Violation) int {
	n := len(list)
	for _, x := range list {
		if x.Rule == contract.RuleOmitted {
			n--
		}
	}
	return n
}

func (j *checkJSON) write(out *bufio.Writer, rep *recorded.Report, inputErr, nothingErr error) error {
	j.Exchanges, j.Conform, j.Count, j.NoticeCount, j.Skipped, j.Unanswered = rep.Exchanges, rep.Conform, rep.Count, rep.NoticeCount, rep.Skipped, rep.Unanswered
	j.NotJudged = rep.NotJudged
	j.ViolationsNotListed, j.NoticesNotListed = rep.Count-findings(j.Violations), rep.NoticeCount-findings(j.Notices)
	switch {
	case inputErr != nil:
		j.Error = inputErr.Error()
	case nothingErr != nil:
		j.Error = nothingErr.Error()
	}
	return writeJSON(out, j)
}
