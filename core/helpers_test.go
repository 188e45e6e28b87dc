package core_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
)

func randomString(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}
