package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// noticeSpool keeps check's notices on disk until the JSON document reaches
// its "notices" array, so a check of any amount of traffic stays in bounded
// memory.
type noticeSpool struct {
	f   *os.File
	w   *bufio.Writer
	n   int
	err error
}

func newNoticeSpool() (*noticeSpool, error) {
	f, err := os.CreateTemp("", "linktoken-notices-*.json")
	if err != nil {
		return nil, fmt.Errorf("-o json: %w", err)
	}
	return &noticeSpool{f: f, w: bufio.NewWriter(f)}, nil
}

// add is Report.EmitNotice.
func (s *noticeSpool) add(x *contract.Violation) {
	if s.err != nil {
		return
	}
	b, _ := json.Marshal(x)
	if s.n > 0 {
		s.w.WriteByte(',')
	}
	s.n++
	s.w.WriteString("\n    ")
	_, s.err = s.w.Write(b)
}

// copyTo writes the spooled notices, comma-separated, to out.
func (s *noticeSpool) copyTo(out io.Writer) error {
	if s.err != nil {
		return fmt.Errorf("-o json: %w", s.err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("-o json: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("-o json: %w", err)
	}
	_, err := io.Copy(out, s.f)
	return err
}

func (s *noticeSpool) close() {
	name := s.f.Name()
	_ = s.f.Close()
	_ = os.Remove(name)
}
