package recorded

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// CheckFile checks a HAR archive or a raw HTTP exchange file into r with v.
// A file is taken for a HAR archive when it ends in .har or starts with
// '{', for a zlib-compressed one when it ends in .zhar (as mitmproxy's
// save.har writes it), for a zip of har.har and the bodies it names in a
// _file when it ends in .zip (as Playwright's recordHar writes it), and for
// raw HTTP when it starts with a request or status line; one that is
// empty, only white space or neither is an *InputError saying so. A HAR
// archive's bodies in a _file (Playwright's content: 'attach') are read
// from beside it, and from nowhere else.
// Both are read as streams, in bounded memory whatever their size (see
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
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		return checkHARZip(v, r, f, path) // f, not the path opened again
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if strings.HasSuffix(strings.ToLower(path), ".zhar") {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return &InputError{Source: path, Err: fmt.Errorf("not a zlib-compressed HAR archive (.zhar, as mitmproxy writes it): %w", err)}
		}
		defer zr.Close()
		return checkHAR(v, r, zr, path, nil)
	}
	har, err := isHAR(br, path)
	if err != nil {
		return err
	}
	if base, ok := strings.CutSuffix(path, RequestFileSuffix); ok {
		if _, err := os.Stat(base + ".http"); err == nil {
			return nil // read with its response, X.http
		}
	}
	if har {
		// Bodies Playwright stores in files of their own are beside the
		// archive; os.Root keeps every read inside that directory.
		var files fs.FS
		if root, err := os.OpenRoot(filepath.Dir(path)); err == nil {
			defer root.Close()
			files = root.FS()
		}
		return checkHAR(v, r, br, path, files)
	}
	p := newPipeline(v, r, path)
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
// kept; so is a body the archive holds only in part (its content.size
// larger than its text: Firefox past its body limit, linktoken proxy when
// the upstream's body broke off) or not at all (no text and no size, a
// _file of its own, a response its recorder marks failed after the status
// line: see responseInPart), which is not judged as if whole, or empty.
// Memory stays bounded, however large the archive: the largest entry (no
// more than EntryCap) read at a time, and no more than a window of entries
// (16 per worker, 16 MiB in all) awaiting a verdict. Input it
// cannot use comes back as an *InputError; r then holds what was checked
// before the problem.
func CheckHAR(v *contract.Validator, r *Report, har io.Reader, source string) error {
	return checkHAR(v, r, har, source, nil)
}

// checkHAR is CheckHAR reading the bodies an entry names in a _file from
// files (see attached); nil: none.
func checkHAR(v *contract.Validator, r *Report, har io.Reader, source string, files fs.FS) error {
	p := newPipeline(v, r, source)
	p.files = files
	err := walkHAR(har, source, harOptions{limit: v.BodyLimit()}.entryCap(), func(i int, entry []byte, writer string) error {
		return p.submit(&job{index: i, entry: bytes.Clone(entry), writer: writer})
	})
	return p.finish(err)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
