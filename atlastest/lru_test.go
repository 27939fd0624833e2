package atlastest

import "testing"

// TestLRUGetKeepsAnEntryPeekDoesNot: past max, the entry used least
// recently goes; get counts as a use, peek does not.
func TestLRUGetKeepsAnEntryPeekDoesNot(t *testing.T) {
	c := newLRU[string, int](2)
	c.put("a", 1)
	c.put("b", 2)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatalf("get a = %d, %v", v, ok)
	}
	c.put("c", 3) // b is the least recently used
	if _, ok := c.peek("b"); ok {
		t.Error("b kept although a was used after it")
	}
	if _, ok := c.peek("a"); !ok {
		t.Error("a dropped although get used it")
	}
	c.put("d", 4) // peek did not use a: a goes
	if _, ok := c.peek("a"); ok {
		t.Error("a kept: peek counted as a use")
	}
	if v, ok := c.get("c"); !ok || v != 3 || c.len() != 2 {
		t.Errorf("get c = %d, %v; len %d", v, ok, c.len())
	}
}
