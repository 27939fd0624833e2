// Package silentserver gives tests a server on loopback that never
// answers, in each of the ways a real one fails to: for proving that a
// check which got no answer does not pass.
package silentserver

import (
	"net"
	"sync"
	"testing"
)

// The ways a server can fail to answer.
const (
	Refused   = "refused"   // nothing listens on the port
	Hanging   = "hanging"   // it accepts and never answers
	Resetting = "resetting" // it accepts and resets the connection
)

// Start returns the root URL ("http://127.0.0.1:port/") of a server that
// fails to answer as how says; it stops at the test's cleanup.
func Start(t testing.TB, how string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	root := "http://" + ln.Addr().String() + "/"
	switch how {
	case Refused:
		ln.Close()
		return root
	case Hanging, Resetting:
	default:
		ln.Close()
		t.Fatalf("silentserver: unknown way %q", how)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if how == Resetting {
				_ = c.(*net.TCPConn).SetLinger(0) // close with a RST
				c.Close()
				continue
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range held {
			c.Close()
		}
	})
	return root
}
