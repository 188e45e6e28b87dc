package github

import (
	"context"
	"sync"
)

// keyedLock is one mutex per key whose waits end with the context. The
// zero value is ready to use.
type keyedLock struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// lock takes key's lock and returns its unlock, or the context's error.
func (l *keyedLock) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]chan struct{}{}
	}
	ch, ok := l.m[key]
	if !ok {
		ch = make(chan struct{}, 1)
		l.m[key] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
