package secretsmanager

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/dockergroup"
	"github.com/regmint/regmint/core/store/storemeta"
)

// ErrLostUpdate is wrapped by the error of a grouped write that other
// processes' writes kept crossing (groupAttempts times): the part may not
// be in the secret; the next run writes it again.
var ErrLostUpdate = errors.New("other writers kept changing the secret while it was written")

// commit writes the parts of batch into secret id and sets each part's
// err. Secrets Manager has no compare-and-swap, so the write is a
// read-modify-write checked afterwards: DescribeSecret must show the new
// version AWSCURRENT with AWSPREVIOUS the version read (or one this commit
// wrote). Another version there landed between the read and the write and
// lost its parts: they are read from it and written again with ours. A
// version after ours is read: if it holds our parts, nothing is written,
// else they are written over it. At most groupAttempts rounds. The write
// calls are paced by pacer, whose first token put took.
//
// The first round starts from the value the process knows of the secret
// (its latest read, or the value its last commit wrote and confirmed)
// instead of reading it: the check finds any write since, as it finds one
// between a read and the write. commit returns the value it left,
// confirmed (nil: none), which is then what the process knows.
func (o *GroupOpener) commit(ctx context.Context, q *groupQueue, batch []*groupPart, pacer core.Pacer) (left *observed) {
	id := q.id
	errs := make([]error, len(batch))
	defer func() {
		for i, p := range batch {
			p.err = errs[i]
		}
	}()
	failAll := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	stage, version := StageCurrent, ""
	// carry is the value our last write stored, when another write
	// crossed it: parts it holds that the value read next lacks (another
	// writer's, confirmed to it before our write) are kept. restore is our
	// version when the crossing write landed before ours: a foreign value
	// there is made current again.
	carry, restore := "", ""
	ours := map[string]bool{}
	exists := false
	useKnown := true
	for attempt := 1; ; attempt++ {
		var g *dockergroup.Group
		var base string
		var err error
		known := useKnown && version == "" && attempt == 1
		if ob := q.latest(); known && ob != nil {
			base = ob.version
			g, err = decodeGroup(id, ob.val)
		} else {
			known = false
			g, base, err = o.readGroup(ctx, id, stage, version)
		}
		if err != nil && errors.Is(err, ErrForeignSecret) && restore != "" {
			// Our write went over a value regmint did not write: make it
			// current again; it is never overwritten.
			if rerr := writeCall(ctx, pacer, id, false, func(ctx context.Context) error { return o.s.makeCurrent(ctx, id, version) }); rerr != nil {
				err = fmt.Errorf("%w; moving AWSCURRENT back to it failed: %w", err, rerr)
			}
		}
		if err != nil {
			failAll(err)
			return
		}
		if carry != "" {
			keepCarried(g, id, carry, batch)
		}
		baseDoc, err := g.Document()
		if err != nil {
			failAll(err)
			return
		}
		clear(errs)
		for i, p := range batch {
			if err := g.Set(p.ref, p.rec, p.keep); err != nil {
				errs[i] = fmt.Errorf("secretsmanager put %s part %s: %w", id, p.ref, err)
			}
		}
		doc, err := g.Document()
		switch {
		case err != nil:
			failAll(err)
			return
		case bytes.Equal(doc, baseDoc) && known:
			// Every part is in the value known: read it to be sure.
			useKnown = false
			attempt--
			continue
		case bytes.Equal(doc, baseDoc):
			return // every part is there already
		case len(doc) > MaxValue:
			failAll(fmt.Errorf("secretsmanager put %s: the grouped value would be %d bytes, more than the %d a secret holds (%d parts): give some of its targets another secret-name", id, len(doc), MaxValue, len(g.Refs())))
			return
		}
		waited := attempt == 1 // put took the first token
		val := string(doc)
		token := requestToken(id, val)
		if base == "" && version == "" && !exists && !strings.HasPrefix(id, "arn:") {
			seq := q.nextSeq()
			err := writeCall(ctx, pacer, id, waited, func(ctx context.Context) error { return o.createGroup(ctx, id, val, token) })
			if err == nil || !isExists(err) {
				if err != nil {
					failAll(err)
					return
				}
				// A new secret: no other value to lose. Its first
				// version's id is the request token.
				left = &observed{val: val, version: token, seq: seq}
				q.observe(left)
				return left
			}
			// Created meanwhile by another writer: merge into its value.
			exists = true
			if attempt == groupAttempts {
				failAll(fmt.Errorf("secretsmanager put %s: %w", id, ErrLostUpdate))
				return
			}
			continue
		}
		var out *sm.PutSecretValueOutput
		err = writeCall(ctx, pacer, id, waited, func(ctx context.Context) error {
			var err error
			out, err = o.s.api.PutSecretValue(ctx, &sm.PutSecretValueInput{
				SecretId:           aws.String(id),
				ClientRequestToken: aws.String(token),
				SecretString:       aws.String(val),
			})
			if err != nil {
				return opError("PutSecretValue", id, err)
			}
			return nil
		})
		if err != nil {
			failAll(err)
			return
		}
		if !slices.Contains(out.VersionStages, StageCurrent) {
			// This value was stored before: move AWSCURRENT back to it.
			if err := writeCall(ctx, pacer, id, false, func(ctx context.Context) error { return o.s.makeCurrent(ctx, id, token) }); err != nil {
				failAll(err)
				return
			}
		}
		ours[token] = true
		seq := q.nextSeq()
		desc, err := o.s.api.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
		if err != nil {
			failAll(fmt.Errorf("checking the write: %w", opError("DescribeSecret", id, err)))
			return
		}
		cur := stageOwner(desc.VersionIdsToStages, StageCurrent)
		prev := stageOwner(desc.VersionIdsToStages, StagePrevious)
		switch {
		case cur == token && (prev == base || ours[prev]):
			// Nothing crossed the write: the secret holds val.
			left = &observed{val: val, version: token, seq: seq}
			q.observe(left)
			return left
		case cur == token:
			// A write landed between the read and ours: its parts are
			// in prev.
			stage, version, restore = "", prev, token
		default:
			// A write landed after ours: does it hold our parts?
			stage, version, restore = StageCurrent, "", ""
		}
		carry = val
		if attempt == groupAttempts {
			failAll(fmt.Errorf("secretsmanager put %s: %w (%d attempts; Secrets Manager has no compare-and-swap); the next run writes it again", id, ErrLostUpdate, attempt))
			return
		}
	}
}

// createGroup creates a grouped secret with its first value.
func (o *GroupOpener) createGroup(ctx context.Context, id, val, token string) error {
	in := &sm.CreateSecretInput{
		Name:               aws.String(id),
		ClientRequestToken: aws.String(token),
		SecretString:       aws.String(val),
		Description:        aws.String("Docker config.json with the logins of several registries, kept fresh by regmint (store " + GroupKindName + ")."),
	}
	if o.s.kmsKeyID != "" {
		in.KmsKeyId = aws.String(o.s.kmsKeyID)
	}
	if _, err := o.s.api.CreateSecret(ctx, in); err != nil {
		return opError("CreateSecret", id, err)
	}
	return nil
}

// keepCarried adds to g the parts of carried (the value our crossed write
// stored) that g lacks or holds older, except the batch's own, which are
// set after: a part another writer had confirmed before our write is not
// lost to a third writer's stale value.
func keepCarried(g *dockergroup.Group, id, carried string, batch []*groupPart) {
	c, err := decodeGroup(id, carried)
	if err != nil {
		return
	}
	mine := map[string]bool{}
	for _, p := range batch {
		mine[p.ref] = true
	}
	for _, ref := range c.Refs() {
		if mine[ref] {
			continue
		}
		cm, _ := c.Meta(ref)
		if gm, ok := g.Meta(ref); ok && !newerMeta(cm, gm) {
			continue
		}
		rec, err := c.Record(ref, "secretsmanager secret "+id)
		if err != nil {
			continue
		}
		_ = g.Set(ref, *rec, nil) // a host another part holds now: that part stays
	}
}

// newerMeta reports whether a was issued after b (by their issued_at).
func newerMeta(a, b storemeta.Meta) bool {
	ta, errA := storemeta.ParseTime("issued_at", a.IssuedAt)
	tb, errB := storemeta.ParseTime("issued_at", b.IssuedAt)
	return errA == nil && (errB != nil || ta.After(tb))
}
