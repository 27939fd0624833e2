// Package plural counts things in English for people to read: every count
// the command prints beside a noun (check's, conform's and the proxy's
// summaries and messages, the tools') says "1 request" and "2 requests"
// through it.
package plural

import "strconv"

// Count is "1 request" for 1 and "2 requests" (n and noun with an s) for
// any other n. A noun whose plural is not noun+"s" needs its own words.
func Count[N ~int | ~int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(int64(n), 10) + " " + noun + "s"
}
