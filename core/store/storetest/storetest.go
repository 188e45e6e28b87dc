// Package storetest checks that a core.Store behaves as the rotation engine
// expects, whatever it stores into: the same tests run against every store
// (Secrets Manager through its emulator, the docker config file, and any
// later one).
package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
)

// NewStore returns a fresh, empty store for one test. It may register
// cleanups on t. It is called from parallel subtests.
type NewStore func(t *testing.T) core.Store

// Record returns a complete record for registry, with distinct values in
// every field, so a round trip that drops or mixes up a field shows.
func Record(registry, password string) core.Record {
	return core.Record{
		Credential: core.Credential{
			Registry:  registry,
			Username:  "user-" + strings.ReplaceAll(registry, ":", "-"),
			Password:  password,
			ExpiresAt: time.Date(2031, 2, 3, 4, 5, 6, 700000000, time.UTC),
			TokenID:   "tok-" + password[:4],
		},
		IssuedAt:        time.Date(2031, 2, 3, 3, 5, 6, 0, time.UTC),
		Fingerprint:     "fp-" + registry,
		PreviousTokenID: "tok-prev",
	}
}

// Run checks newStore's stores: not found, round trip of every metadata
// field (expiry and issue time to the nanosecond, zero times as zero), a
// second Put replacing the first, refs kept apart, the whole record read
// back for stores that implement core.RecordReader, and an incomplete
// credential refused with nothing stored.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	ctx := context.Background()

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.Get(ctx, "missing")
		if !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("Get(missing) error = %v, want one wrapping core.ErrNotFound", err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tests := []struct {
			name string
			rec  core.Record
		}{
			{"full", Record("r1.example.com", "pw-roundtrip-full-0001")},
			{"zero times", func() core.Record {
				r := Record("r2.example.com:5000", "pw-roundtrip-zero-0002")
				r.Credential.ExpiresAt, r.IssuedAt = time.Time{}, time.Time{}
				r.Credential.TokenID, r.PreviousTokenID, r.Fingerprint = "", "", ""
				return r
			}()},
			{"local time zone", func() core.Record {
				r := Record("r3.example.com", "pw-roundtrip-zone-0003")
				zone := time.FixedZone("UTC+8", 8*3600)
				r.Credential.ExpiresAt = r.Credential.ExpiresAt.In(zone)
				r.IssuedAt = r.IssuedAt.In(zone)
				return r
			}()},
		}
		for _, tt := range tests {
			ref := "rt-" + strings.ReplaceAll(tt.name, " ", "-")
			if err := s.Put(ctx, ref, tt.rec); err != nil {
				t.Fatalf("%s: Put: %v", tt.name, err)
			}
			got, err := s.Get(ctx, ref)
			if err != nil {
				t.Fatalf("%s: Get: %v", tt.name, err)
			}
			if err := SameStored(got, tt.rec.Stored()); err != nil {
				t.Errorf("%s: Get after Put: %v", tt.name, err)
			}
		}
	})

	t.Run("Replace", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		first := Record("replace.example.com", "pw-replace-first-0001")
		second := Record("replace.example.com", "pw-replace-second-002")
		second.Credential.TokenID, second.PreviousTokenID = "tok-second", first.Credential.TokenID
		second.IssuedAt = first.IssuedAt.Add(time.Hour)
		for _, r := range []core.Record{first, second} {
			if err := s.Put(ctx, "replace", r); err != nil {
				t.Fatalf("Put: %v", err)
			}
		}
		got, err := s.Get(ctx, "replace")
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if err := SameStored(got, second.Stored()); err != nil {
			t.Errorf("Get after two Puts: %v", err)
		}
	})

	t.Run("RefsApart", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := Record("a.example.com", "pw-apart-aaaa-0001")
		b := Record("b.example.com", "pw-apart-bbbb-0002")
		if err := s.Put(ctx, "apart-a", a); err != nil {
			t.Fatalf("Put a: %v", err)
		}
		if err := s.Put(ctx, "apart-b", b); err != nil {
			t.Fatalf("Put b: %v", err)
		}
		for ref, want := range map[string]core.Record{"apart-a": a, "apart-b": b} {
			got, err := s.Get(ctx, ref)
			if err != nil {
				t.Fatalf("Get %s: %v", ref, err)
			}
			if err := SameStored(got, want.Stored()); err != nil {
				t.Errorf("Get %s: %v", ref, err)
			}
		}
	})

	t.Run("ReadRecord", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		rr, ok := s.(core.RecordReader)
		if !ok {
			t.Skip("the store does not implement core.RecordReader")
		}
		if _, err := rr.ReadRecord(ctx, "missing"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("ReadRecord(missing) error = %v, want one wrapping core.ErrNotFound", err)
		}
		first := Record("read.example.com", "pw-read-first-00001")
		second := Record("read.example.com", "pw-read-second-0002")
		second.Credential.TokenID, second.PreviousTokenID = "tok-second", first.Credential.TokenID
		for _, r := range []core.Record{first, second} {
			if err := s.Put(ctx, "read", r); err != nil {
				t.Fatalf("Put: %v", err)
			}
			got, err := rr.ReadRecord(ctx, "read")
			if err != nil {
				t.Fatalf("ReadRecord: %v", err)
			}
			if err := SameStored(got.Stored(), r.Stored()); err != nil {
				t.Errorf("ReadRecord after Put: %v", err)
			}
			if got.Credential.Password != r.Credential.Password {
				t.Error("ReadRecord after Put: the password differs")
			}
		}
	})

	t.Run("IncompleteRefused", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tests := []struct {
			name string
			edit func(*core.Record)
		}{
			{"no password", func(r *core.Record) { r.Credential.Password = "" }},
			{"no username", func(r *core.Record) { r.Credential.Username = "" }},
			{"no registry", func(r *core.Record) { r.Credential.Registry = "" }},
		}
		for _, tt := range tests {
			r := Record("incomplete.example.com", "pw-incomplete-00001")
			tt.edit(&r)
			if err := s.Put(ctx, "incomplete", r); err == nil {
				t.Errorf("%s: Put succeeded, want an error", tt.name)
			}
			if _, err := s.Get(ctx, "incomplete"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%s: Get after refused Put: error = %v, want not found", tt.name, err)
			}
		}
	})
}

// SameStored reports how got differs from want; times compare as instants.
func SameStored(got, want core.Stored) error {
	var diffs []string
	check := func(field string, ok bool) {
		if !ok {
			diffs = append(diffs, field)
		}
	}
	check("Registry", got.Registry == want.Registry)
	check("Username", got.Username == want.Username)
	check("ExpiresAt", got.ExpiresAt.Equal(want.ExpiresAt))
	check("IssuedAt", got.IssuedAt.Equal(want.IssuedAt))
	check("Fingerprint", got.Fingerprint == want.Fingerprint)
	check("TokenID", got.TokenID == want.TokenID)
	check("PreviousTokenID", got.PreviousTokenID == want.PreviousTokenID)
	if len(diffs) > 0 {
		return errors.New("differs in " + strings.Join(diffs, ", ") + ": got " + format(got) + ", want " + format(want))
	}
	return nil
}

func format(s core.Stored) string {
	return "{registry=" + s.Registry + " username=" + s.Username +
		" expires=" + s.ExpiresAt.UTC().Format(time.RFC3339Nano) +
		" issued=" + s.IssuedAt.UTC().Format(time.RFC3339Nano) +
		" fingerprint=" + s.Fingerprint + " token=" + s.TokenID + " previous=" + s.PreviousTokenID + "}"
}
