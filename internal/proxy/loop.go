package proxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// A proxy whose upstream is itself, directly or through other proxies,
// sends each request round until it runs out of file descriptors. Two
// defences: Loops refuses the configuration that is evidently a loop,
// and every request forwarded carries a Via entry with the proxy's own
// token (RFC 9110 §7.6.3), so that a request that comes back is refused
// with 508 Loop Detected however it came round.

// viaProduct is the proxy's entry in Via, before a token no other proxy
// process has (crypto/rand.Text).
const viaProduct = "linktoken-proxy-"

// cameBack reports whether r went through this proxy already.
func (p *Proxy) cameBack(r *http.Request) bool {
	for _, v := range r.Header.Values("Via") {
		if strings.Contains(v, p.via) {
			return true
		}
	}
	return false
}

// Loops reports whether upstream is the address the proxy listens on: the
// same port, and a host that resolves to the listening IP, or, when the
// proxy listens on every address, to a loopback or local address.
func Loops(ctx context.Context, listen *net.TCPAddr, upstream *url.URL) (bool, error) {
	port := upstream.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[upstream.Scheme]
	}
	if port != fmt.Sprint(listen.Port) {
		return false, nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, upstream.Hostname())
	if err != nil {
		return false, fmt.Errorf("--upstream %s: %w", upstream.Hostname(), err)
	}
	var local []net.IP
	if listen.IP.IsUnspecified() {
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				local = append(local, n.IP)
			}
		}
	}
	for _, ip := range ips {
		if ip.IP.Equal(listen.IP) || listen.IP.IsUnspecified() && ip.IP.IsLoopback() {
			return true, nil
		}
		for _, l := range local {
			if ip.IP.Equal(l) {
				return true, nil
			}
		}
	}
	return false, nil
}
