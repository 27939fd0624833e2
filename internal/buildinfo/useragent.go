package buildinfo

import "sync"

// UserAgent returns "product/version (+https://github.com/seed-5c49e0d7/linktoken)"
// with this module's version in the running binary, so that a server's logs
// tell which build sent a request; "devel" stands for a build that recorded
// none (go run, a directory replace, a binary without build information).
func UserAgent(product string) string {
	m, _ := running()
	return userAgent(product, m)
}

// running is Running, read once: the build information never changes.
var running = sync.OnceValues(Running)

func userAgent(product string, m Module) string {
	v := m.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return product + "/" + v + " (+https://" + ModulePath + ")"
}
