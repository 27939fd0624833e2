// Command linktoken creates and removes MongoDB Atlas link-tokens, serves an
// in-memory Atlas for tests, and checks against the contract recorded traffic
// (check), a running server (conform) and live traffic (proxy).
//
// No release is tagged yet: install it from a checkout (go run turns every
// failure into exit status 1, so CI jobs should run an installed binary):
//
//	go install ./cmd/linktoken
//
// Settings come from flags, then the Atlas CLI's environment variables, then
// its profile (-P/--profile). Exit codes: 0 success, 1 an API error or a
// contract violation, 2 a usage or input error, 3 check or conform had
// nothing of the contract to judge, 4 conform's requests got no answer or the
// proxy could not judge an exchange, 5 conform could not remove what it
// created. Run linktoken help for the rest.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], newEnv()))
}
