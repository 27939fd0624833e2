package linktoken_test

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// newServer is atlastest.NewServer recording every secret the service
// meets when $LINKTOKEN_SECRET_LOG names a file (make secret-scan): the
// suite reads the variable and hands the recorder over, the library reads
// no environment.
func newServer(tb testing.TB, opts ...atlastest.Option) *atlastest.Server {
	tb.Helper()
	if record := secretlog.FromEnv(); record != nil {
		opts = append([]atlastest.Option{atlastest.WithSecretLog(record)}, opts...)
	}
	return atlastest.NewServer(tb, opts...)
}
