// Command linktoken creates and removes MongoDB Atlas link-tokens, serves an
// in-memory Atlas for tests, and checks recorded traffic against the contract.
//
// Exit codes: 0 success, 1 an API error or a contract violation, 2 a usage or
// input error.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], newEnv()))
}
