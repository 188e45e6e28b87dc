package stores

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestUnlinkedKubernetesKinds: the Lambda build lists the Kubernetes kinds
// with the same specs (a config parses alike in both builds), and opening
// one there fails saying where they run.
func TestUnlinkedKubernetesKinds(t *testing.T) {
	t.Parallel()
	linked, unlinked := kubernetesKinds(), unlinkedKubernetesKinds()
	if len(linked) != len(unlinked) {
		t.Fatalf("%d linked kinds, %d unlinked", len(linked), len(unlinked))
	}
	for i := range linked {
		if linked[i].Name != unlinked[i].Name || !slices.Equal(linked[i].Keys, unlinked[i].Keys) {
			t.Errorf("kind %d: linked %s %v, unlinked %s %v", i, linked[i].Name, linked[i].Keys, unlinked[i].Name, unlinked[i].Keys)
		}
		_, err := unlinked[i].Open(context.Background(), &Process{})
		if err == nil || !strings.Contains(err.Error(), "Lambda build") || !strings.Contains(err.Error(), "deploy/kubernetes") {
			t.Errorf("opening unlinked %s: %v", unlinked[i].Name, err)
		}
	}
}
