package rotation

import (
	"context"

	"sync"
	"time"

	"github.com/regmint/regmint/core"
)

// BatchReader is implemented by stores that read many refs in one call
// (Secrets Manager BatchGetSecretValue, 20 secrets a call). At the start of
// a run the engine reads every destination of such a store in batches, so
// that an idle pass costs one call per BatchSize destinations instead of
// one per destination; the read right before a write stays a single Get.
type BatchReader interface {
	// BatchSize is the most refs one ReadRecords call reads.
	BatchSize() int
	// ReadRecords reads the refs, in one call, and returns for each its
	// record or its error (one wrapping core.ErrNotFound when nothing is
	// stored), as ReadRecord would; err is the call's own failure, which
	// leaves every ref to be read alone. Errors never hold a secret.
	ReadRecords(ctx context.Context, refs []string) (recs []core.Record, errs []error, err error)
}

// batchWorkers is how many batch calls run at once.
const batchWorkers = 4

// chunk is one batch read: its refs and, once done is closed, their
// records and errors (failed: the call failed, read the refs alone).
type chunk struct {
	refs   []string
	done   chan struct{}
	recs   []core.Record
	errs   []error
	failed bool
}

// prefetched is a run's batch reads, by store kind and ref. A nil
// *prefetched holds nothing.
type prefetched struct {
	byRef map[string]map[string]prefetchEntry
	wg    sync.WaitGroup
}

type prefetchEntry struct {
	c *chunk
	i int
}

// prefetch starts the batch reads of every destination whose store (one
// for the whole kind: WithStore) is a BatchReader, in config order, a few
// calls at once, each paced by the kind's batch-reads bucket.
func (e *Engine) prefetch(ctx context.Context) *prefetched {
	pf := &prefetched{byRef: map[string]map[string]prefetchEntry{}}
	type work struct {
		br BatchReader
		b  *bucket
		c  *chunk
	}
	var queue []work
	open := map[string]*chunk{}
	for _, t := range e.cfg.Targets {
		for _, d := range t.Destinations {
			br, ok := e.stores[d.Store].(BatchReader)
			if !ok || br.BatchSize() < 2 {
				continue
			}
			refs := pf.byRef[d.Store]
			if refs == nil {
				refs = map[string]prefetchEntry{}
				pf.byRef[d.Store] = refs
			}
			if _, seen := refs[d.Ref]; seen {
				continue
			}
			c := open[d.Store]
			if c == nil || len(c.refs) == br.BatchSize() {
				c = &chunk{done: make(chan struct{})}
				open[d.Store] = c
				queue = append(queue, work{br: br, b: e.bucketsOf(d.Store).batch, c: c})
			}
			refs[d.Ref] = prefetchEntry{c: c, i: len(c.refs)}
			c.refs = append(c.refs, d.Ref)
		}
	}
	if len(queue) == 0 {
		return nil
	}
	next := make(chan work)
	for range min(batchWorkers, len(queue)) {
		pf.wg.Go(func() {
			for w := range next {
				err := throttledCall(ctx, w.b, 1, false, func(ctx context.Context) error {
					var err error
					w.c.recs, w.c.errs, err = w.br.ReadRecords(ctx, w.c.refs)
					return err
				})
				w.c.failed = err != nil || len(w.c.recs) != len(w.c.refs) || len(w.c.errs) != len(w.c.refs)
				close(w.c.done)
			}
		})
	}
	pf.wg.Go(func() {
		defer close(next)
		for _, w := range queue {
			next <- w
		}
	})
	return pf
}

// take returns the batch read of kind's ref, waiting for it; batched is
// false when there is none (or its call failed), and the ref is read alone.
func (pf *prefetched) take(ctx context.Context, kind, ref string) (r core.Record, err error, batched bool) {
	if pf == nil {
		return core.Record{}, nil, false
	}
	ent, ok := pf.byRef[kind][ref]
	if !ok {
		return core.Record{}, nil, false
	}
	select {
	case <-ent.c.done:
	case <-ctx.Done():
		return core.Record{}, nil, false
	}
	if ent.c.failed {
		return core.Record{}, nil, false
	}
	return ent.c.recs[ent.i], ent.c.errs[ent.i], true
}

// wait waits for the batch calls to end.
func (pf *prefetched) wait() {
	if pf != nil {
		pf.wg.Wait()
	}
}

// bucketsOf returns the buckets of a store kind (none: no limits).
func (e *Engine) bucketsOf(kind string) *storeBuckets {
	if b := e.buckets[kind]; b != nil {
		return b
	}
	return &storeBuckets{}
}

// get reads what d holds (metadata), paced by its kind's reads bucket and
// retried after a throttling answer.
func (j *job) get(ctx context.Context, d *dest) (core.Stored, error) {
	var s core.Stored
	err := throttledCall(ctx, j.e.bucketsOf(d.Store).reads, 1, false, func(ctx context.Context) error {
		var err error
		s, err = d.store.Get(ctx, d.Ref)
		return err
	})
	return s, err
}

// put writes rec to d, paced by its kind's writes bucket (unless
// reserveWrites already waited for d's tokens) and retried after a
// throttling answer.
func (j *job) put(d *dest, rec core.Record) error {
	waited := d.slot
	d.slot = false
	return throttledCall(j.ctx, j.e.bucketsOf(d.Store).writes, writeCost(d), waited, func(ctx context.Context) error {
		return d.store.Put(ctx, d.Ref, rec)
	})
}

// writeCost is the number of write tokens a Put to d takes.
func writeCost(d *dest) int {
	if wc, ok := d.store.(WriteCoster); ok {
		return max(wc.WriteCost(d.Ref), 1)
	}
	return 1
}

// writeBudget is kept free after a write's tokens, for the mint, the
// verification and the write itself, when deciding whether a write can be
// made before the target's deadline.
const writeBudget = 5 * time.Second

// reserveWrites takes, before minting, the write tokens of every
// destination to be written and waits for them, so that a credential is
// minted only when it can be stored. When a destination's store allows no
// more writes before the target's deadline (GitHub's hourly cap), nothing
// is minted and the target is Deferred: the next run continues. It
// reports whether to go on.
func (j *job) reserveWrites() bool {
	dl, _ := j.ctx.Deadline()
	if !dl.IsZero() {
		dl = dl.Add(-writeBudget)
	}
	type held struct {
		d    *dest
		b    *bucket
		wait time.Duration
	}
	var got []held
	var wait time.Duration
	for _, d := range j.dests {
		b := j.e.bucketsOf(d.Store).writes
		if b == nil || !d.read {
			continue
		}
		// Only an hourly cap defers: a per-second rate is waited for, and
		// a target whose deadline passes meanwhile fails as it would.
		limit := dl
		if b.hour == nil {
			limit = time.Time{}
		}
		w, ok := b.reserve(writeCost(d), limit)
		if !ok {
			for _, h := range got {
				h.d.slot = false
			}
			j.res.Outcome = Deferred
			j.res.Reason = j.res.Reason + "; " + d.String() + ": " + errDeferred.Error() + " (store-limits." + d.Store + "); the next run writes it"
			return false
		}
		d.slot = true
		got = append(got, held{d, b, w})
		wait = max(wait, w)
	}
	if err := sleep(j.ctx, wait); err != nil {
		j.failErr("rate limit wait", err)
		return false
	}
	return true
}
