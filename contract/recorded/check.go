package recorded

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// CheckFile checks a HAR archive or a raw HTTP exchange file into r with v.
// A file is taken for a HAR archive when it ends in .har or starts with
// '{'. Both are read as streams, in bounded memory whatever their size (see
// CheckHAR); a body larger than the validator reads (MaxBodyBytes) is a
// violation (RuleBodyTooLarge) naming its size, and is not read. Input it
// cannot use comes back as an *InputError; r then holds what was checked
// before the problem.
func CheckFile(v *contract.Validator, r *Report, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if base, ok := strings.CutSuffix(path, RequestFileSuffix); ok {
		if _, err := os.Stat(base + ".http"); err == nil {
			return nil // read with its response, X.http
		}
	}
	if strings.HasSuffix(strings.ToLower(path), ".har") || startsWithBrace(br) {
		return CheckHAR(v, r, br, path)
	}
	if _, err := br.Peek(1); err != nil && err != io.EOF {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	p := newPipeline(v, r, path, harOptions{limit: v.BodyLimit()})
	err = readHTTPFile(br, path, v.BodyLimit(), func(ex *contract.Exchange, cut cutBodies) error {
		return p.submit(&job{ex: ex, cut: cut})
	})
	return p.finish(err)
}

// CheckHAR checks a HAR 1.2 archive read from har into r with v, as ReadHAR
// reads it; source names it in violations and errors. Entries are judged
// concurrently, by as many workers as GOMAXPROCS, and counted into r in
// their order in the archive: r's callbacks (Emit, EmitNotice, OnExchange)
// are called one at a time, in that order, from a goroutine of the check's
// own. Of an exchange that is not an operation of the contract no body is
// decoded, so such an exchange is skipped (counted in r.Skipped); a body
// of an operation larger than the validator reads (MaxBodyBytes) is a
// violation (RuleBodyTooLarge) naming its size as recorded, and is not
// kept. Memory stays bounded, however large the archive: the largest entry
// (no more than EntryCap) read at a time, and no more than a window of
// entries (16 per worker, 16 MiB in all) awaiting a verdict. Input it
// cannot use comes back as an *InputError; r then holds what was checked
// before the problem.
func CheckHAR(v *contract.Validator, r *Report, har io.Reader, source string) error {
	opt := harOptions{limit: v.BodyLimit(), need: func(method string, u *url.URL) bool { return readsBodies(v, method, u) }}
	p := newPipeline(v, r, source, opt)
	err := walkHAR(har, source, opt.entryCap(), func(i int, entry []byte) error {
		return p.submit(&job{index: i, entry: bytes.Clone(entry)})
	})
	return p.finish(err)
}

// readsBodies reports whether a check of a request reads its exchange's
// bodies: only an operation of the contract's are (a method its path does
// not declare is reported without them).
func readsBodies(v *contract.Validator, method string, u *url.URL) bool {
	_, ok := routeForBodies(v, method, u)
	return ok
}

// routeForBodies is readsBodies with the route it found (nil when the
// request is not the contract's), which the check then uses instead of
// routing the request again.
func routeForBodies(v *contract.Validator, method string, u *url.URL) (*contract.Match, bool) {
	m, err := v.Match(method, u)
	if err != nil {
		return nil, false
	}
	return m, m.Operation != ""
}

func startsWithBrace(br *bufio.Reader) bool {
	for n := 1; n <= 512; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return false
		}
		c := b[n-1]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF {
			if err != nil {
				return false
			}
			continue
		}
		return c == '{'
	}
	return false
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
