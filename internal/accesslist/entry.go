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
// (address/prefix length). The error says what is wrong with s and quotes it;
// callers add the position.
//
// A block with host bits set ("10.0.0.1/24") passes: no MongoDB document or
// recording says whether the service refuses or normalises it, so the
// contract must not refuse it. [HostBits] tells such a block apart for a
// caller that wants to refuse it on its own account.
func CheckEntry(s string) error {
	if s == "" {
		return fmt.Errorf("empty entry: want an IP address or CIDR block")
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has surrounding white space", s)
	}
	if strings.Contains(s, "/") {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("%q is not a valid CIDR block", s)
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

// HostBits reports whether s is a CIDR block with host bits set, and the
// block it most likely meant (its network address): "10.0.0.1/24" gives
// "10.0.0.0/24", true.
func HostBits(s string) (masked string, ok bool) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil || prefix.Masked() == prefix {
		return "", false
	}
	return prefix.Masked().String(), true
}
