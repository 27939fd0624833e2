// Package testatlas starts the in-memory Atlas for this module's own tests:
// atlastest.NewServer, recording every secret the service meets when
// $LINKTOKEN_SECRET_LOG names a file (make secret-scan). The suite reads
// the variable and hands the recorder over; atlastest itself reads no
// environment.
package testatlas

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// NewServer is atlastest.NewServer with the secret scan's recorder when
// the scan asks for one; a later WithSecretLog in opts wins.
func NewServer(tb testing.TB, opts ...atlastest.Option) *atlastest.Server {
	tb.Helper()
	// FromEnv is nil without the variable: WithSecretLog(nil) records nothing.
	opts = append([]atlastest.Option{atlastest.WithSecretLog(secretlog.FromEnv())}, opts...)
	return atlastest.NewServer(tb, opts...)
}
