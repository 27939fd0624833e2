// Package secretlog lets the suite's secret scan know which secrets the
// suite's traffic carried. Test helpers (atlastest.NewServer, this module's
// own) and the commands that start the in-memory Atlas themselves (serve,
// demo) ask FromEnv for a recorder and hand it to the service
// (atlastest.WithSecretLog), which records every secret it issues or sees
// (private keys, link-tokens, bearer tokens, client secrets, digest
// responses) to the file named by $LINKTOKEN_SECRET_LOG; after a verbose run
// of the suite, internal/cmd/secretscan looks for each of them in
// everything the suite printed. The service itself reads no variable.
package secretlog

import (
	"os"
	"strings"
	"sync"
)

// EnvVar names the file secrets are appended to, one a line.
const EnvVar = "LINKTOKEN_SECRET_LOG"

// MinLength is the shortest value worth recording: shorter ones would match
// ordinary output by chance.
const MinLength = 12

// recent bounds the memory the log spends on not writing a secret twice: it
// remembers the last values written, not all of them (the scan dedups
// anyway), so a test that measures the heap while the log is on measures
// the code under test, not the log.
const recent = 1024

var (
	mu   sync.Mutex
	file *os.File
	seen = map[string]bool{}
	ring [recent]string
	next int
	// openedPath is the file the process is writing to; a different
	// $LINKTOKEN_SECRET_LOG (a test changing it) starts a new file.
	openedPath string
)

// FromEnv is the recorder $LINKTOKEN_SECRET_LOG asks for, nil when it is
// unset: it appends each secret to that file, once. Safe for concurrent
// use; values shorter than MinLength or holding a line break are ignored.
func FromEnv() func(string) {
	path := os.Getenv(EnvVar)
	if path == "" {
		return nil
	}
	return func(secret string) { record(path, secret) }
}

func record(path, secret string) {
	mu.Lock()
	defer mu.Unlock()
	if path != openedPath {
		if file != nil {
			_ = file.Close()
		}
		openedPath, file, seen = path, nil, map[string]bool{}
		// O_APPEND: several test binaries write to one file at once, a line each.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return
		}
		file = f
	}
	if file == nil || len(secret) < MinLength || strings.ContainsAny(secret, "\r\n") || seen[secret] {
		return
	}
	delete(seen, ring[next])
	ring[next], next = secret, (next+1)%recent
	seen[secret] = true
	_, _ = file.WriteString(secret + "\n")
}
