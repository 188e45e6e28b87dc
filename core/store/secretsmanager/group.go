package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/dockergroup"
)

// MaxValue is the largest secret value Secrets Manager stores (65536
// bytes): it bounds the parts one grouped secret holds.
const MaxValue = 65536

// groupAttempts bounds the read-modify-write of one grouped secret when
// another process's write is found to have crossed it (a lost update).
const groupAttempts = 4

// StagePrevious is the staging label PutSecretValue moves to the version
// AWSCURRENT leaves.
const StagePrevious = "AWSPREVIOUS"

// GroupOpener opens the destinations of store secretsmanager-docker-config
// (GroupKind): each target's login is a part of a secret that several
// targets share. It serialises the writes to each secret within the
// process and coalesces them: parts queued while a write is in flight go
// out together in the next PutSecretValue. Safe for concurrent use; one
// GroupOpener serves every run of a process.
type GroupOpener struct {
	s   *Store
	cfg *config.Config
	// secrets are the write queues by secret id.
	secrets sync.Map
	// own paces the write calls (CreateSecret, PutSecretValue,
	// UpdateSecretVersionStage) of every grouped secret to Secrets
	// Manager's quota when the engine hands no pacer (PaceWrites). The
	// engine does not pace the Puts (the kind has no writes limit): a Put
	// is not a write call, and the parts that queue while a write waits
	// for its token go out together.
	own ownPacer
}

// NewGroupOpener returns the opener of cfg's grouped destinations, calling
// api; opts are the Store's (WithPrefix, WithKMSKeyID).
func NewGroupOpener(api API, cfg *config.Config, opts ...Option) (*GroupOpener, error) {
	s, err := New(api, opts...)
	if err != nil {
		return nil, err
	}
	return &GroupOpener{s: s, cfg: cfg, own: ownPacer{rate.NewLimiter(QuotaWrites, 1)}}, nil
}

// Run returns the stores of one run. The first read of each part in the
// run is served by one read of its secret, shared by every part (and by
// one BatchGetSecretValue for up to 20 secrets when the client has it);
// later reads of a part (right before a write) read afresh.
func (o *GroupOpener) Run() *GroupStores {
	return &GroupStores{o: o, reads: map[string]*groupRead{}}
}

// GroupStores are one run's grouped stores. Safe for concurrent use.
type GroupStores struct {
	o     *GroupOpener
	mu    sync.Mutex
	reads map[string]*groupRead
	// pacer paces the run's write calls (PaceWrites); nil: the opener's.
	pacer core.Pacer
}

// groupRead is the run's shared read of one secret.
type groupRead struct {
	done chan struct{}
	grp  *dockergroup.Group
	err  error
	// alone: the read failed as a whole (the batch call, or its reader's
	// context ended), not for this secret: read it alone.
	alone bool
	// used are the refs that took it; a ref's next read is fresh.
	used map[string]bool
}

// Store returns the store of destination d: its part of its secret.
func (r *GroupStores) Store(_ context.Context, d config.Destination) (core.Store, error) {
	id, err := r.o.SecretID(d.SecretName)
	if err != nil {
		return nil, err
	}
	gs := &GroupStore{run: r, id: id}
	if d.DeleteStale {
		refs := r.o.refsOf(d.SecretName)
		gs.keep = func(ref string) bool { return slices.Contains(refs, ref) }
	}
	return gs, nil
}

// SecretID returns the id of a grouped destination's secret-name: the
// name under the prefix, or the ARN.
func (o *GroupOpener) SecretID(secretName string) (string, error) {
	id, err := o.s.SecretID(secretName)
	if err != nil {
		return "", fmt.Errorf("%s secret-name: %w", GroupKindName, err)
	}
	return id, nil
}

// groupDestinations returns the config's grouped destinations.
func (o *GroupOpener) groupDestinations() []config.Destination {
	var out []config.Destination
	if o.cfg == nil {
		return nil
	}
	for _, t := range o.cfg.Targets {
		for _, d := range t.Destinations {
			if d.Store == GroupKindName {
				out = append(out, d)
			}
		}
	}
	return out
}

// refsOf returns the refs the config writes to secret name.
func (o *GroupOpener) refsOf(name string) []string {
	var refs []string
	for _, d := range o.groupDestinations() {
		if d.SecretName == name {
			refs = append(refs, d.Ref)
		}
	}
	return refs
}

// GroupStore is one destination's part of a grouped secret. It
// implements core.Store and core.RecordReader.
type GroupStore struct {
	run  *GroupStores
	id   string
	keep func(string) bool
}

var (
	_ core.Store        = (*GroupStore)(nil)
	_ core.RecordReader = (*GroupStore)(nil)
)

// Get implements core.Store: the metadata of ref's part.
func (s *GroupStore) Get(ctx context.Context, ref string) (core.Stored, error) {
	r, err := s.ReadRecord(ctx, ref)
	if err != nil {
		return core.Stored{}, err
	}
	return r.Stored(), nil
}

// ReadRecord implements core.RecordReader: ref's part with its password.
// A secret or part that does not exist is core.ErrNotFound; a value
// regmint did not write is ErrForeignSecret (read, never overwritten).
func (s *GroupStore) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	g, err := s.run.read(ctx, s.id, ref)
	if err != nil {
		return core.Record{}, err
	}
	rec, err := g.Record(ref, "secretsmanager secret "+s.id)
	if err != nil {
		return core.Record{}, err
	}
	if rec == nil {
		return core.Record{}, fmt.Errorf("secretsmanager secret %s part %s: %w", s.id, ref, core.ErrNotFound)
	}
	return *rec, nil
}

// Put implements core.Store: ref's part becomes r, the other parts kept.
func (s *GroupStore) Put(ctx context.Context, ref string, r core.Record) error {
	if err := r.Credential.Check(); err != nil {
		return fmt.Errorf("secretsmanager put %s part %s: %w", s.id, ref, err)
	}
	return s.run.o.queue(s.id).put(ctx, s.run.o, s.run.writePacer(), &groupPart{ref: ref, rec: r, keep: s.keep})
}

// read returns the secret's group for ref's read: the run's shared read
// when ref has not taken it yet, else a fresh one. An absent secret is
// an empty group.
func (r *GroupStores) read(ctx context.Context, id, ref string) (*dockergroup.Group, error) {
	r.mu.Lock()
	gr := r.reads[id]
	if gr != nil && !gr.used[ref] {
		gr.used[ref] = true
		r.mu.Unlock()
		select {
		case <-gr.done:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		if !gr.alone {
			return gr.grp, gr.err
		}
		g, _, err := r.o.readGroup(ctx, id, StageCurrent, "")
		return g, err
	}
	if gr != nil {
		r.mu.Unlock()
		return r.o.reread(ctx, id)
	}
	gr = &groupRead{done: make(chan struct{}), used: map[string]bool{ref: true}}
	r.reads[id] = gr
	batch := map[string]*groupRead{id: gr}
	ids := []string{id}
	if _, ok := r.o.s.api.(BatchAPI); ok {
		// The other secrets of the config not read yet, up to a batch.
		for _, d := range r.o.groupDestinations() {
			if len(ids) == BatchSize {
				break
			}
			other, err := r.o.SecretID(d.SecretName)
			if err != nil || r.reads[other] != nil {
				continue
			}
			og := &groupRead{done: make(chan struct{}), used: map[string]bool{}}
			r.reads[other], batch[other] = og, og
			ids = append(ids, other)
		}
	}
	r.mu.Unlock()
	if len(ids) == 1 {
		gr.grp, _, gr.err = r.o.readGroup(ctx, id, StageCurrent, "")
	} else {
		r.o.readGroups(ctx, ids, batch)
	}
	for _, g := range batch {
		if g.err != nil && ctx.Err() != nil {
			g.alone = true
		}
		close(g.done)
	}
	if gr.alone && ctx.Err() == nil {
		g, _, err := r.o.readGroup(ctx, id, StageCurrent, "")
		return g, err
	}
	return gr.grp, gr.err
}

// readGroups reads the secrets ids with one BatchGetSecretValue and fills
// their shared reads.
func (o *GroupOpener) readGroups(ctx context.Context, ids []string, reads map[string]*groupRead) {
	seqs := make(map[string]uint64, len(ids))
	for _, id := range ids {
		seqs[id] = o.queue(id).nextSeq()
	}
	out, err := o.s.api.(BatchAPI).BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: ids})
	if err != nil {
		err = opError("BatchGetSecretValue", strings.Join(ids[:min(len(ids), 3)], ",")+moreIDs(len(ids)), err)
		for _, g := range reads {
			g.err, g.alone = err, true
		}
		return
	}
	at := map[string][]int{}
	for i, id := range ids {
		at[id] = []int{i}
	}
	seen := map[string]bool{}
	for _, v := range out.SecretValues {
		id := matchID(at, v.Name, v.ARN)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if v.SecretString == nil {
			reads[id].err = foreignError(id, "value is binary")
			continue
		}
		reads[id].grp, reads[id].err = decodeGroup(id, *v.SecretString)
		if reads[id].err == nil && aws.ToString(v.VersionId) != "" {
			o.queue(id).observe(&observed{val: *v.SecretString, version: aws.ToString(v.VersionId), seq: seqs[id]})
		}
	}
	for _, e := range out.Errors {
		id := aws.ToString(e.SecretId)
		if at[id] == nil || seen[id] {
			continue
		}
		seen[id] = true
		if err := batchEntryError(id, e); errors.Is(err, core.ErrNotFound) {
			reads[id].grp = dockergroup.New(dockergroup.Compact()) // no secret yet: no parts
			o.queue(id).observe(&observed{seq: seqs[id]})
		} else {
			reads[id].err = err
		}
	}
	for _, id := range ids {
		if !seen[id] {
			reads[id].err = fmt.Errorf("secretsmanager BatchGetSecretValue %s: the answer did not mention the secret", id)
		}
	}
}

// readGroup reads the value of secret id at stage (or version, when not
// "") and decodes it; a missing secret or value is an empty group with
// version "". A read of AWSCURRENT is recorded as what the process knows
// of the secret. The value is secret; errors never quote it.
func (o *GroupOpener) readGroup(ctx context.Context, id, stage, version string) (*dockergroup.Group, string, error) {
	in := &sm.GetSecretValueInput{SecretId: aws.String(id)}
	var seq uint64
	if version != "" {
		in.VersionId = aws.String(version)
	} else {
		in.VersionStage = aws.String(stage)
		if stage == StageCurrent {
			seq = o.queue(id).nextSeq()
		}
	}
	out, err := o.s.api.GetSecretValue(ctx, in)
	if isNotFound(err) {
		if seq != 0 {
			o.queue(id).observe(&observed{seq: seq})
		}
		return dockergroup.New(dockergroup.Compact()), "", nil
	}
	if err != nil {
		return nil, "", opError("GetSecretValue", id, err)
	}
	if out.SecretString == nil {
		return nil, "", foreignError(id, "value is binary")
	}
	g, err := decodeGroup(id, *out.SecretString)
	if err == nil && seq != 0 && aws.ToString(out.VersionId) != "" {
		o.queue(id).observe(&observed{val: *out.SecretString, version: aws.ToString(out.VersionId), seq: seq})
	}
	return g, aws.ToString(out.VersionId), err
}

// decodeGroup reads a grouped secret's value: empty and the Placeholder
// are an empty group; a value that is not a group document is
// ErrForeignSecret.
func decodeGroup(id, val string) (*dockergroup.Group, error) {
	if strings.TrimSpace(val) == "" || val == Placeholder {
		return dockergroup.New(dockergroup.Compact()), nil
	}
	g, err := dockergroup.Decode([]byte(val), "secretsmanager secret "+id, dockergroup.Compact(),
		dockergroup.PartName(func(ref string) string { return "part " + ref }))
	if errors.Is(err, dockergroup.ErrNotGroup) {
		why := "not a docker config with regmint's parts"
		if fillable(val) {
			why = "a per-target regmint value (store " + KindName + "): a secret is written by one store kind"
		}
		return nil, foreignError(id, why)
	}
	return g, err
}

func foreignError(id, why string) error {
	return fmt.Errorf("secretsmanager secret %s: %w (%s): regmint does not overwrite it; delete or rename that secret, or give the destinations another secret-name", id, ErrForeignSecret, why)
}

// groupQueue is the write queue of one secret: at most one write in
// flight; the parts queued meanwhile go out in the next.
type groupQueue struct {
	id      string
	mu      sync.Mutex
	queue   []*groupPart
	leading bool
	// known is the latest value of the secret seen (groupknown.go), nil
	// when none; seq numbers the observations started.
	known *observed
	seq   uint64
	// writing is the commit whose write calls are in flight; nil: none.
	writing *inflight
}

// groupPart is one Put waiting for its write.
type groupPart struct {
	// ctx is the context of the part's Put.
	ctx  context.Context
	ref  string
	rec  core.Record
	keep func(string) bool
	// lead is closed when this part's Put is to write the queue; done
	// when its write ended, with err.
	lead, done chan struct{}
	err        error
}

func (o *GroupOpener) queue(id string) *groupQueue {
	q, _ := o.secrets.LoadOrStore(id, &groupQueue{id: id})
	return q.(*groupQueue)
}

// put queues p and waits for its write. The Put that finds no write in
// flight writes, its calls paced by pacer; the parts queued meanwhile
// wait, and the first of them then writes them all, under its own
// context and pacer.
func (q *groupQueue) put(ctx context.Context, o *GroupOpener, pacer core.Pacer, p *groupPart) error {
	p.ctx, p.lead, p.done = ctx, make(chan struct{}), make(chan struct{})
	q.mu.Lock()
	q.queue = append(q.queue, p)
	if !q.leading {
		q.leading = true
		close(p.lead)
	}
	q.mu.Unlock()
	select {
	case <-p.lead:
	case <-p.done:
		return p.err
	case <-ctx.Done():
		q.mu.Lock()
		if i := slices.Index(q.queue, p); i >= 0 {
			q.queue = slices.Delete(q.queue, i, i+1)
			select {
			case <-p.lead: // handed the lead meanwhile: pass it on
				q.handOff()
			default:
			}
			q.mu.Unlock()
			return context.Cause(ctx)
		}
		q.mu.Unlock()
		// Taken into a write in flight: its outcome is p's.
		<-p.done
		return p.err
	}
	// Wait for a write first: the parts queued meanwhile join this write.
	if werr := pacer.Wait(ctx); werr != nil {
		// This part's own time ran out: it alone fails, and the lead
		// passes to the next part, which waits under its own context.
		q.mu.Lock()
		if i := slices.Index(q.queue, p); i >= 0 {
			q.queue = slices.Delete(q.queue, i, i+1)
		}
		q.handOff()
		q.mu.Unlock()
		p.err = fmt.Errorf("secretsmanager put %s: rate limit wait: %w", q.id, werr)
		close(p.done)
		return p.err
	}
	q.mu.Lock()
	batch := q.queue
	q.queue = nil
	w := &inflight{done: make(chan struct{}), parts: len(batch)}
	q.writing = w
	q.mu.Unlock()
	// The write serves every part in it: it stops only when every part's
	// context is done, not when the lead's is.
	cctx, cancel := batchContext(ctx, batch)
	w.obs = o.commit(cctx, q, batch, pacer)
	cancel()
	for _, b := range batch {
		close(b.done)
	}
	q.mu.Lock()
	q.writing = nil
	q.handOff()
	q.mu.Unlock()
	close(w.done)
	return p.err
}

// handOff gives the lead to the first queued part, or ends the lead.
// q.mu is held.
func (q *groupQueue) handOff() {
	if len(q.queue) == 0 {
		q.leading = false
		return
	}
	close(q.queue[0].lead)
}

// batchContext returns a context for a write of batch: lead's values, and
// cancelled once every part's context is done (or by cancel).
func batchContext(lead context.Context, batch []*groupPart) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(lead))
	go func() {
		for _, b := range batch {
			select {
			case <-b.ctx.Done():
			case <-ctx.Done():
				return
			}
		}
		cancel()
	}()
	return ctx, cancel
}
