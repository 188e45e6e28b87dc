package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	yaml3 "go.yaml.in/yaml/v3"
)

// fastDocs are documents the fast reader reads (the configs people write),
// each with what it must make of them: the same as the YAML libraries.
func fastDocs() map[string]string {
	return map[string]string{
		"fleet":            fleetConfig(40, false),
		"fleet merge keys": fleetConfig(40, true),
		"good":             fuzzGoodDoc,
		"json": `{"name-prefix": "", "concurrency": 4, "rate-limits": {"tcr": 1.5e1},
  "targets": [{"name": "a\u00e9\t\"\\\\", "provider": "swr", "region": "cn-north-4",
    "credentials": {"secret": "s"}, "verify": false, "timeout": null}]}`,
		"compact json": `{"targets":[{"name":"a","provider":"tcr","region":"ap-guangzhou","credentials":{"env":true}}]}`,
		"scalars": "a: yes\nb: off\nc: ~\nd: 0x1F\ne: 1_000\nf: 0b101\ng: -0b11\nh: 1.50\ni: .5\nj: 2001-12-14\n" +
			"k: 2001-12-14t21:59:43.10-05:00\nl: 30d\nm: +7\nnn: 99999999999999999999\no: 18446744073709551615\np: 1e3\n" +
			"q: 0o17\nr: 017\ns: '''quoted'''\nt: \"\\x41\\u00e9\\U0001F600\\0\"\nu: http://h:1/p#frag\nv: a #comment\n" +
			"w:\nx: -\\n\nyy: -5\nz: 日本語 テキスト\naa: 'it''s'\n\"q k\": 1\n'single k': 2\nlong key with spaces: x y z\n",
		"nesting": "# head\n\ntop:\n  - a\n  -\n    - b\n  - k: v\n    l:\n      m: [1, [2, {nn: o}]]\n    # inside\n  - {}\n  - []\n" +
			"indentless:\n- x\n- yy: z\n  w: v\nafter: 1   # trailing\n",
		"anchors": "base: &b {x: 1, yy: [a, b]}\nlist: &l\n  - *b\n  - *b\nblock: &m\n  p: q\ncopy: *l\n" +
			"merged: {<<: *b, z: 2}\nmerged block:\n  <<: *m\n  r: s\nnull anchor: &n\nnn: *n\nredefined: [&r x, &r y, *r]\n" +
			"merge inline: {<<: {k: v}, j: w}\n",
		"flow over lines": "targets: [\n  {name: a,\n   provider: tcr},   # c\n  {name: b}\n]\n",
		"laughs":          laughs(10),
		// As cmd/bench writes the cold start's config: flow targets
		// merging an anchored flow mapping.
		"flow targets merged": "name-prefix: cold/\ncredential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n" +
			"  - {<<: &t {provider: tcr, region: ap-guangzhou, api-endpoint: \"http://127.0.0.1:8080\", credentials: {source: tencent}}, name: t00000, instance-id: tcr-00000000, registry: \"r0.example.com\"}\n" +
			"  - {<<: *t, name: t00001, instance-id: tcr-00000001, registry: \"r1.example.com\"}\n",
	}
}

// TestFastDecode: the fast reader reads the documents people write, and
// makes of them what the YAML libraries make (decodeTree after
// checkExpansion), alias bombs refused alike.
func TestFastDecode(t *testing.T) {
	t.Parallel()
	for name, doc := range fastDocs() {
		tree, ok, err := fastDecode([]byte(doc))
		if !ok {
			t.Errorf("%s: the fast reader gives it up", name)
			continue
		}
		if msg := fastDiff([]byte(doc), tree, err); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// TestFastDecodeGivesUp: documents outside what the fast reader reads, or
// that the libraries refuse, go to the libraries, whose errors users see.
func TestFastDecodeGivesUp(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"a: 1\na: 2\n",                      // a key given twice
		"a: &a {x: 1}\nb: {<<: *a, x: 2}\n", // a merged key set again
		"a: *nothing\n",                     // unknown anchor
		"a: &a [*a]\n",                      // an alias in what it names
		"a: b\n  c\n",                       // a plain scalar over two lines
		"a: \"b\n c\"\n",                    // a quoted one
		"a:\tb\n",                           // a tab
		"a: b\r\n",                          // CRLF
		"---\na: b\n",                       // a document marker
		"a: !!str 1\n",                      // a tag
		"a: |\n  text\n",                    // a block scalar
		"a: b: c\n",                         // a mapping value where none is allowed
		"? a\n: b\n",                        // an explicit key
		"1: a\n",                            // a key that is not a string
		"a: .inf\n",                         // not finite: the JSON way
		"a: [x, ]\n",                        // a trailing comma
		"a: {b}\n",                          // a flow key without value
		"- - a\n",                           // a compact nested sequence
		"a: &x &y b\n",                      // two anchors
		"\ufeffa: b\n",                      // a byte order mark
		"a: b\u2028c\n",                     // a YAML 1.1 line break
		"a: \"\\ud800\"\n",                  // a surrogate escape
		strings.Repeat("k", 1100) + ": v\n", // a key too long
		strings.Repeat("[", 100) + strings.Repeat("]", 100), // too deep
	} {
		if _, ok, _ := fastDecode([]byte(doc)); ok {
			t.Errorf("the fast reader reads %q", doc)
		}
	}
}

// fastDiff compares what fastDecode made of doc (tree, err) with what the
// libraries make; "" when they agree.
func fastDiff(doc []byte, tree any, err error) string {
	slowErr := checkExpansion(doc)
	var want any
	if slowErr == nil {
		want, slowErr = decodeTree(doc)
	}
	switch {
	case !errors.Is(err, slowErr) && fmt.Sprint(err) != fmt.Sprint(slowErr):
		return fmt.Sprintf("error %v, the libraries' %v", err, slowErr)
	case err == nil && !reflect.DeepEqual(tree, want):
		return fmt.Sprintf("tree\n%#v\nthe libraries'\n%#v", tree, want)
	}
	// Aliases measure as on go.yaml.in/yaml/v3's node tree.
	if strings.IndexByte(string(doc), '*') >= 0 {
		p := newFastParser(doc)
		root, ok := p.document()
		nodes, perr := parseNodes(doc)
		if !ok || perr != nil {
			return fmt.Sprintf("parsed again: %v, %v", ok, perr)
		}
		m := expansion{sizes: map[*yaml3.Node]int64{}}
		if got, want := min(nodeCost+int64(p.nodes[root].size), maxExpandedSize+1), m.size(nodes); got != want {
			return fmt.Sprintf("size %d, go.yaml.in/yaml/v3's node tree %d", got, want)
		}
	}
	return ""
}

// FuzzFastDecode holds the fast reader to the YAML libraries: whatever it
// reads, it makes the same tree of (or refuses alike, for its aliases), and
// it measures aliases as checkExpansion does.
func FuzzFastDecode(f *testing.F) {
	for _, doc := range fastDocs() {
		f.Add([]byte(doc))
	}
	for _, doc := range aliasBombs() {
		f.Add([]byte(doc))
	}
	f.Add([]byte(fuzzGoodDoc))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, ok, err := fastDecode(data)
		if !ok {
			return
		}
		if msg := fastDiff(data, tree, err); msg != "" {
			t.Errorf("%q: %s", data, msg)
		}
	})
}
