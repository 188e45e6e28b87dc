package secretsmanager

import (
	"context"

	"github.com/regmint/regmint/core/store/dockergroup"
)

// What the process knows of a grouped secret's value, so that a write
// need not read it first and a part's read right before its write can be
// answered by a write that was confirmed after the read was asked for.
// Neither weakens the lost-update check: a write based on a known value
// is checked (DescribeSecret: AWSPREVIOUS must be the version it was
// based on) and repaired like one based on a read.

// observed is a value of the secret seen at one point: read, created, or
// written and confirmed by the check. val "" with version "" is a secret
// that did not exist. val is secret.
type observed struct {
	val, version string
	// seq orders the observations by when their call was started.
	seq uint64
}

// inflight is a commit whose parts are taken and whose write calls are in
// flight.
type inflight struct {
	done chan struct{}
	// parts is the number of parts the commit writes.
	parts int
	// obs is the value the commit left, confirmed; nil when it wrote
	// nothing or could not confirm it. Set before done is closed.
	obs *observed
}

// nextSeq numbers an observation about to be started.
func (q *groupQueue) nextSeq() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	return q.seq
}

// observe records ob when it is the latest observation started.
func (q *groupQueue) observe(ob *observed) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.known == nil || ob.seq > q.known.seq {
		q.known = ob
	}
}

// latest returns the latest observation, nil when none.
func (q *groupQueue) latest() *observed {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.known
}

// reread reads secret id for a part's read after its first in the run
// (the engine's read right before the write): when a commit's write calls
// are in flight, the value its check confirms after this read was asked
// for answers it (the part's own write could not join that commit
// anyway); else, or when the commit confirms nothing, a fresh read.
func (o *GroupOpener) reread(ctx context.Context, id string) (*dockergroup.Group, error) {
	q := o.queue(id)
	q.mu.Lock()
	w, asked := q.writing, q.seq
	q.mu.Unlock()
	if w != nil {
		select {
		case <-w.done:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		if w.obs != nil && w.obs.seq > asked {
			return decodeGroup(id, w.obs.val)
		}
	}
	g, _, err := o.readGroup(ctx, id, StageCurrent, "")
	return g, err
}
