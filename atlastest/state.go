package atlastest

import "container/list"

// lru is a map bounded to max entries: adding one to a full map drops the
// entry used least recently (the oldest idle). A shared
// test server must stay bounded under hostile use: an authenticated caller
// naming endless made-up resources, or any client asking for endless
// challenges, would otherwise grow it without limit.
// It is not safe for concurrent use; its owner holds a lock.
type lru[K comparable, V any] struct {
	max   int
	order *list.List // of *lruEntry[K, V]; front is the most recently used
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

// get returns the value for k and marks it used.
func (c *lru[K, V]) get(k K) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
	}
	return c.peek(k)
}

// peek returns the value for k without marking it used.
func (c *lru[K, V]) peek(k K) (V, bool) {
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return e.Value.(*lruEntry[K, V]).val, true
}

// put sets k to v and marks it used, dropping the least recently used
// entries past max.
func (c *lru[K, V]) put(k K, v V) {
	if e, ok := c.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	for len(c.items) > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruEntry[K, V]).key)
	}
}

func (c *lru[K, V]) remove(k K) {
	if e, ok := c.items[k]; ok {
		c.order.Remove(e)
		delete(c.items, k)
	}
}

func (c *lru[K, V]) len() int { return len(c.items) }

// clear drops every entry.
func (c *lru[K, V]) clear() {
	c.order.Init()
	c.items = map[K]*list.Element{}
}
