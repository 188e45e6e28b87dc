package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	yaml3 "go.yaml.in/yaml/v3"
)

// aliasBombs are documents that YAML aliases make much larger than they
// are written, each refused by Parse.
func aliasBombs() map[string]string {
	// A hundredfold: 50 KB of strings named 99 times (5 MB).
	long := `"` + strings.Repeat("a", 1000) + `"`
	wide := "x: &x [" + strings.TrimSuffix(strings.Repeat(long+",", 50), ",") + "]\ntargets: [" +
		strings.TrimSuffix(strings.Repeat("*x,", 99), ",") + "]\n"
	// One 60 KB string named 999 times (60 MB), under the YAML library's
	// alias ratio (it counts nodes, not bytes).
	str := "x: &x " + strings.Repeat("b", 60000) + "\ntargets: [" + strings.TrimSuffix(strings.Repeat("*x,", 999), ",") + "]\n"
	return map[string]string{"billion-laughs": laughs(10), "hundredfold": wide, "long-string": str}
}

// BenchmarkParseAliasBombs measures what refusing each alias bomb costs.
func BenchmarkParseAliasBombs(b *testing.B) {
	bombs := aliasBombs()
	for _, name := range []string{"billion-laughs", "hundredfold", "long-string"} {
		doc := []byte(bombs[name])
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(doc, plainKinds()); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// laughs is the billion laughs with the given number of levels of nine
// aliases each.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 9), ","))
	}
	return b.String() + "targets: []\n"
}

// TestExpansionSize: what a node tree measures, aliases counting what they
// name, each anchored node measured once.
func TestExpansionSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc string
		want      int64
	}{
		// A document node (4) holding a scalar: 4 + 3.
		{"scalar", "abc", 4 + 7},
		// Sequence 4 + two scalars of 5.
		{"list", "[x, y]", 4 + 14},
		// a = 4+5+5 = 14, b = 4+14+14 = 32, c = 4+32+32 = 68; the mapping
		// 4 + keys 3*5 + 14 + 32 + 68.
		{"aliases of aliases", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", 4 + 4 + 15 + 14 + 32 + 68},
		// A merge key counts the mapping it merges: m = 4 + 5+5 + 5+5 = 24;
		// t = 4 + "<<" 6 + 24 + "z" 5 + "1" 5 = 44; the list 4 + 24 + 44.
		{"merge key", "[&m {x: 1, y: 2}, {<<: *m, z: 1}]", 4 + 4 + 24 + 44},
		// An alias inside the node it names counts nodeCost: the decoder
		// refuses it.
		{"alias of itself", "&a [*a]", 4 + 4 + 4},
		// An anchor named again: each alias names the latest.
		{"anchor redefined", "[&a x, &a yyyy, *a]", 4 + 4 + 5 + 8 + 8},
	} {
		root, err := parseNodes([]byte(tc.doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m := expansion{sizes: map[*yaml3.Node]int64{}}
		if got := m.size(root); got != tc.want {
			t.Errorf("%s: size %d, want %d", tc.name, got, tc.want)
		}
	}
	// Thirty levels stand for 9^30 nodes: the sum stops at the bound, and
	// each node is measured once.
	root, err := parseNodes([]byte(laughs(30)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m := expansion{sizes: map[*yaml3.Node]int64{}}
	if got := m.size(root); got != maxExpandedSize+1 {
		t.Errorf("30 levels of laughs: size %d, want the bound + 1", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("measuring 30 levels of laughs took %v", d)
	}
}

// TestCheckExpansion: which documents the bound lets through, and the
// errors of those it does not.
func TestCheckExpansion(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("b", 1<<20-100)
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"no alias", "x: &x " + long + "\n", ""},
		{"R&D, no alias", "description: R&D\n", ""},
		{"'*' in a string", "description: \"builds * 3\"\n", ""},
		{"a few aliases", laughs(5), ""}, // 9^5 "lol"s: about 0.5 MiB
		{"at the bound", "x: &x " + strings.Repeat("b", 1<<20-20) + "\ny: [*x, *x, *x]\n", ""},
		{"past the bound", "x: &x " + strings.Repeat("b", 1<<20-20) + "\ny: [*x, *x, *x, *x]\n", errExpanded.Error()},
		{"billion laughs", laughs(10), errExpanded.Error()},
		{"unknown alias", "targets: [*nothing]\n", "config is neither valid YAML nor JSON: yaml: unknown anchor 'nothing' referenced"},
		{"bad YAML with an alias", "x: &x [1]\n\ty: *x\n", "config is neither valid YAML nor JSON: yaml: line 2: found character that cannot start any token"},
	} {
		err := checkExpansion([]byte(tc.doc))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("%s: checkExpansion = %v, want %q", tc.name, err, tc.want)
		}
	}
}
