// Package faultq is the fault-injection bookkeeping the loopback emulators
// share: a queue of faults, each for the next n calls of one operation (or
// every operation), latency per operation, a wait that ends early when the
// client goes away or the emulator closes, and a dropped connection. It
// holds no lock: the emulator calls it under its own.
package faultq

import (
	"net/http"
	"time"
)

type pending[F any] struct {
	op string
	f  F
	n  int // calls left; < 0: every call until Clear
}

// Queue holds injected faults of type F and latencies, by operation name;
// the operation "" matches every call. The zero value is empty and usable.
type Queue[F any] struct {
	queue   []*pending[F]
	latency map[string]time.Duration
}

// Add makes the next n calls of op fail with f (n < 0: every call until
// Clear). Faults are used in the order added.
func (q *Queue[F]) Add(n int, op string, f F) {
	if n != 0 {
		q.queue = append(q.queue, &pending[F]{op: op, f: f, n: n})
	}
}

// SetLatency delays every call of op ("" for all) by d; 0 turns it off.
func (q *Queue[F]) SetLatency(op string, d time.Duration) {
	if q.latency == nil {
		q.latency = map[string]time.Duration{}
	}
	if d <= 0 {
		delete(q.latency, op)
		return
	}
	q.latency[op] = d
}

// Clear drops every fault and latency.
func (q *Queue[F]) Clear() { *q = Queue[F]{} }

// Next takes the fault for one call of op, if any, and the latency it gets.
func (q *Queue[F]) Next(op string) (*F, time.Duration) {
	delay := q.latency[""] + q.latency[op]
	for i, p := range q.queue {
		if p.op != "" && p.op != op {
			continue
		}
		f := p.f
		if p.n > 0 {
			if p.n--; p.n == 0 {
				q.queue = append(q.queue[:i:i], q.queue[i+1:]...)
			}
		}
		return &f, delay
	}
	return nil, delay
}

// Drop ends a call without any answer: it takes the connection over and
// closes it, as a connection lost mid-call (the client sees EOF or a
// reset, never a status). Where the connection cannot be taken over
// (HTTP/2), it aborts the handler, which resets the stream.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// Wait holds a call for d; it reports false if the client went away or
// done closed first.
func Wait(r *http.Request, done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-done:
	}
	return false
}
