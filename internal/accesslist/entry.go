// Package accesslist decides what counts as one IP access list entry: the
// single rule behind the contract's `ip-or-cidr` string format, the client's
// input checks and the in-memory server's validation, so the three can never
// disagree.
package accesslist

import (
	"fmt"
	"net/netip"
	"strings"
)

// CheckEntry reports whether s is one IPv4 or IPv6 address, or one CIDR block
// whose host bits are zero. The error says what is wrong with s and quotes it;
// callers add the position.
//
// Host bits are refused ("10.0.0.1/24") because such an entry almost always
// means the caller meant a single address or mistyped the block, and the
// error can say which block was meant.
func CheckEntry(s string) error {
	if s == "" {
		return fmt.Errorf("empty entry: want an IP address or CIDR block")
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has surrounding white space", s)
	}
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("%q is not a valid CIDR block", s)
		}
		if masked := prefix.Masked(); masked != prefix {
			return fmt.Errorf("%q has host bits set: did you mean %s?", s, masked)
		}
		return nil
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return fmt.Errorf("%q is not an IP address or CIDR block", s)
	}
	if addr.Zone() != "" {
		return fmt.Errorf("%q carries an IPv6 zone, which an access list cannot use", s)
	}
	return nil
}
