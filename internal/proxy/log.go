package proxy

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// logger writes the proxy's lines to standard error, whole lines at a
// time from any number of exchanges at once, each with its time. Nothing
// written here holds a secret: exchanges are named by method, escaped path
// and status; violations and notices are the contract's, which describe
// credentials and secret values rather than copy them.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) line(format string, args ...any) {
	l.lines([]string{fmt.Sprintf(format, args...)})
}

// lines writes lines together, the first with the time, so one exchange's
// lines are not interleaved with another's; each is escaped
// (safetext.Line), so nothing a client sent can forge a line or drive the
// terminal.
func (l *logger) lines(lines []string) {
	var b strings.Builder
	stamp := time.Now().UTC().Format(time.RFC3339)
	for i, s := range lines {
		if i == 0 {
			b.WriteString(stamp)
			b.WriteByte(' ')
		}
		b.WriteString(safetext.Line(s))
		b.WriteByte('\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, b.String())
}

// logWriter is an io.Writer for log.Logger (the ReverseProxy's and the
// server's ErrorLog, which add their prefix): each write is a line.
type logWriter struct{ l *logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.line("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
