package atlastest

import "github.com/seed-5c49e0d7/linktoken/internal/serverlimits"

// The connection limits (serverlimits) are the http.Server's business, not an
// importer's knob: NewServer applies serverlimits.Default, as linktoken serve
// does, and the service needs them only to move an exchange's deadlines past
// the latency it injects (serverlimits.Limits.ExtendDeadlines), so a delay
// never turns into a cut connection. This package's own tests shorten them
// to meet them quickly, through withServerLimits: edit changes the
// defaults.
func withServerLimits(edit func(*serverlimits.Limits)) Option {
	return func(c *config) error {
		edit(&c.limits)
		return nil
	}
}
