package testutil_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/regmint/regmint/internal/testutil"
)

// TestSyncBufferConcurrentWrites: writes from many goroutines all land,
// whole, and Take empties the buffer.
func TestSyncBufferConcurrentWrites(t *testing.T) {
	var b testutil.SyncBuffer
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			fmt.Fprintf(&b, "line %02d\n", i)
			b.WriteString("x\n")
		})
	}
	wg.Wait()
	got := b.Take()
	if n := strings.Count(got, "\n"); n != 100 {
		t.Errorf("%d lines, want 100", n)
	}
	for i := range 50 {
		if !strings.Contains(got, fmt.Sprintf("line %02d\n", i)) {
			t.Errorf("line %02d missing or torn", i)
		}
	}
	if b.String() != "" {
		t.Error("Take left the buffer full")
	}
}
