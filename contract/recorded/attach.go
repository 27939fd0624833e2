package recorded

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// Playwright's recordHar with content: 'attach' stores each body in a file
// of its own instead of the archive's text, and names it in the body's
// _file (its SHA-1 and an extension): beside the archive when its path
// ends in .har, beside har.har in the zip when it ends in .zip (where
// 'attach' is the default). A check of such a file reads the bodies from
// there (see harOptions.files); a body whose file it cannot read is not
// judged (bodyInFile), never judged as empty.

// attached reads the body that name holds in files: all of it when it has
// no more than most bytes, else its first most+1, which a reader cuts as
// it cuts a text that long; size is the file's. ok is false when there is
// no such regular file: files is nil (an archive read from a stream), name
// is not a plain path inside it (fs.ValidPath: no "..", not absolute), or
// the file is not there.
func attached(files fs.FS, name string, most int64) (data []byte, size int64, ok bool) {
	if files == nil || !fs.ValidPath(name) {
		return nil, 0, false
	}
	f, err := files.Open(name)
	if err != nil {
		return nil, 0, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, 0, false
	}
	data, err = io.ReadAll(io.LimitReader(f, most+1))
	if err != nil {
		return nil, 0, false
	}
	// What was read decides whether the body is cut: a file that shrank
	// since its Stat is what it holds now.
	if size = int64(len(data)); size > most {
		size = max(info.Size(), size)
	}
	return data, size, true
}

// checkHARZip checks the archive in the zip file, opened at path, as
// Playwright's recordHar writes it to a path ending in .zip: har.har, with
// the bodies it names in files beside it. The zip's entries are read as
// streams, in the bounds CheckHAR keeps.
func checkHARZip(v *contract.Validator, r *Report, file *os.File, path string) error {
	info, err := file.Stat()
	if err != nil {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	zr, err := zip.NewReader(file, info.Size())
	if err != nil {
		return &InputError{Source: path, Err: fmt.Errorf("not a zip archive of a HAR (as Playwright's recordHar writes it): %w", err)}
	}
	f, err := zr.Open("har.har")
	if err != nil {
		return &InputError{Source: path, Err: errors.New("a zip without har.har, where Playwright's recordHar puts the archive")}
	}
	defer f.Close()
	return checkHAR(v, r, f, path, zr)
}
