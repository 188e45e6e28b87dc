package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/storetest"
)

// helperEnv makes the test binary act as a second process that puts
// logins into a config (see TestHelperProcess).
const helperEnv = "REGMINT_FILE_STORE_HELPER"

// putMany puts n logins for registries <prefix>-<i>.example.com.
func putMany(ctx context.Context, s *file.Store, prefix string, n int) error {
	for i := range n {
		reg := fmt.Sprintf("%s-%d.example.com", prefix, i)
		if err := s.Put(ctx, reg, storetest.Record(reg, "pw-"+prefix+"-"+strconv.Itoa(i)+"-concurrent")); err != nil {
			return err
		}
	}
	return nil
}

// checkAll fails unless every login and its metadata is there.
func checkAll(t *testing.T, s *file.Store, prefixes []string, n int) {
	t.Helper()
	for _, p := range prefixes {
		for i := range n {
			reg := fmt.Sprintf("%s-%d.example.com", p, i)
			got, err := s.Get(context.Background(), reg)
			if err != nil {
				t.Errorf("%s lost: %v", reg, err)
				continue
			}
			if err := storetest.SameStored(got, storetest.Record(reg, "pw-"+p+"-"+strconv.Itoa(i)+"-concurrent").Stored()); err != nil {
				t.Errorf("%s: %v", reg, err)
			}
		}
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	prefixes := []string{"g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"}
	var wg sync.WaitGroup
	errs := make([]error, len(prefixes))
	for i, p := range prefixes {
		wg.Go(func() { errs[i] = putMany(context.Background(), s, p, 5) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	checkAll(t, s, prefixes, 5)
}

// TestConcurrentProcesses runs two more processes (this test binary again)
// putting into the same config while this one does too.
func TestConcurrentProcesses(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const n = 10
	children := []string{"p1", "p2"}
	cmds := make([]*exec.Cmd, len(children))
	for i, p := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"="+s.Path()+"|"+p+"|"+strconv.Itoa(n))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	if err := putMany(context.Background(), s, "p0", n); err != nil {
		t.Error(err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %s: %v", children[i], err)
		}
	}
	checkAll(t, s, append([]string{"p0"}, children...), n)
}

// TestHelperProcess is the second process of TestConcurrentProcesses; on
// its own it does nothing.
func TestHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process for TestConcurrentProcesses")
	}
	parts := strings.SplitN(spec, "|", 3)
	if len(parts) != 3 {
		t.Fatalf("%s=%q: want path|prefix|count", helperEnv, spec)
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	path, prefix := parts[0], parts[1]
	s, err := file.New(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := putMany(context.Background(), s, prefix, n); err != nil {
		t.Fatal(err)
	}
}

// TestLockWaitEndsWithContext: while another holder keeps the lock, Put
// waits, and stops waiting when its context ends.
func TestLockWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(s.Path()+file.LockSuffix, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.Put(ctx, "l", storetest.Record("lock.example.com", "pw-lock-waits-00001"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put error = %v, want context.Canceled", err)
	}
	if _, err := s.Get(ctx, "l"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get error = %v, want context.Canceled", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "l", storetest.Record("lock.example.com", "pw-lock-waits-00001")); err != nil {
		t.Fatalf("Put after the lock was released: %v", err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Fatal(err)
	}
}
