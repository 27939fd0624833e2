// Command linktoken creates and removes MongoDB Atlas link-tokens, serves an
// in-memory Atlas for tests, and checks recorded traffic against the contract.
//
// Install it at a released version (go run turns every failure into exit
// status 1, so CI jobs should run an installed binary):
//
//	go install github.com/seed-5c49e0d7/linktoken/cmd/linktoken@<version>
//
// Settings come from flags, then the Atlas CLI's environment variables, then
// its profile (-P/--profile). Exit codes: 0 success, 1 an API error or a
// contract violation, 2 a usage or input error, 3 check found no exchange of
// the contract. Run linktoken help for the rest.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], newEnv()))
}
