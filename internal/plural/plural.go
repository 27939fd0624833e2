// Package plural counts things in English for people to read: the summary
// lines of conform, the proxy and the command's tools say "1 request" and
// "2 requests" alike.
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
