package credhelper_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/regmint/regmint/core/config"
)

// BenchmarkGetCached is what a get served from the cache does in the
// process, after start-up: parse the targets document, match the host,
// read and check the cache entry.
func BenchmarkGetCached(b *testing.B) {
	w := newWorld(b)
	dir := filepath.Join(b.TempDir(), "regmint")
	doc := []byte(w.doc(w.inst.Registry))
	h := w.helper(b, string(doc), dir, time.Now)
	if _, err := h.Get(context.Background(), w.inst.Registry); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := config.ParseTargets(doc)
		if err != nil {
			b.Fatal(err)
		}
		h.Config = cfg
		r, err := h.Get(context.Background(), w.inst.Registry)
		if err != nil || r.Minted {
			b.Fatal("not served from the cache", err)
		}
	}
}
