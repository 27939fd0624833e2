package serverlimits_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// TestLimitListenerHoldsTheNextConnection: past n open connections the
// next is not accepted until one of them closes, and closing the listener
// wakes an Accept waiting for a slot.
func TestLimitListenerHoldsTheNextConnection(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := serverlimits.LimitListener(inner, 2)
	accepted := make(chan net.Conn, 3)
	stopped := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				stopped <- err
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	<-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted while two were open")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the third connection was not accepted once a slot was free")
	}
	// Two slots are taken again (the second and third); Accept now waits
	// for a slot, and Close must end that wait.
	ln.Close()
	select {
	case err := <-stopped:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake an Accept waiting for a slot")
	}
}
