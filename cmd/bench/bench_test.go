package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	xs := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	if got, want := median(xs), time.Duration(5); got != want {
		t.Errorf("median = %v, want %v", got, want)
	}
	if got, want := p90(xs), time.Duration(9); got != want {
		t.Errorf("p90 = %v, want %v", got, want)
	}
	if xs[0] != 5 {
		t.Error("quantile sorted its input")
	}
	if got := median([]int64{}); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
}

// TestTC3SigningAccepted: the floor's signature is the SDK's, as the
// emulator checks it, so curl's CreateInstanceToken mints.
func TestTC3SigningAccepted(t *testing.T) {
	t.Parallel()
	w := newActionWorld()
	t.Cleanup(w.tcr.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := newFloor(ctx, "", "", w)
	if err != nil {
		t.Fatal(err)
	}
	if f.user != w.tcr.UIN || f.password == "" {
		t.Errorf("minted user %q (password set: %v)", f.user, f.password != "")
	}
	if got := w.tcr.Calls("CreateInstanceToken"); got != 1 {
		t.Errorf("%d CreateInstanceToken calls, want 1", got)
	}
}

func TestCurlConfigQuoting(t *testing.T) {
	t.Parallel()
	if got, want := quote(`{"a":"b\c"}`), `"{\"a\":\"b\\c\"}"`; got != want {
		t.Errorf("quote = %s, want %s", got, want)
	}
	w := newActionWorld()
	t.Cleanup(w.tcr.Close)
	f := &floor{world: w, user: "u", password: "p"}
	cfg := string(f.config(t.TempDir()))
	for _, want := range []string{"request = \"POST\"", "X-TC-Action: CreateInstanceToken", "next\n", "user = \"u:p\"", `noproxy = "*"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("curl config lacks %q", want)
		}
	}
	if strings.Count(cfg, "\nnext\n") != 2 {
		t.Errorf("curl config has %d operations, want 3", strings.Count(cfg, "\nnext\n")+1)
	}
}
