package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fleetConfig is a config of n targets as a large fleet writes it: shared
// credential sources, TCR instances (a tenth long-term, some writing to a
// second secret), SWR Enterprise instances, in block style; 1000 targets
// are about 190 KB. With mergeKeys, each target takes the settings its
// provider's targets share from a mapping anchored on the first of them
// (<<: &tcr {...}, then <<: *tcr), and the config it makes is the same.
// (The YAML decoder, strict, reads a key set again after a merge as a key
// given twice, so the shared settings are the keys no target sets.)
func fleetConfig(n int, mergeKeys bool) string {
	var b strings.Builder
	b.WriteString("name-prefix: regmint/\nrefresh-margin: 30m\nrotate-every: 30d\nconcurrency: 32\ntimeout: 2m\n")
	b.WriteString("rate-limits: {tcr: 100, swr-enterprise: 20}\n")
	b.WriteString("credential-sources:\n  tencent: {secret: regmint-source/tencent}\n  huawei: {secret: regmint-source/huawei}\n")
	b.WriteString("targets:\n")
	tcrRegions := []string{"ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-singapore"}
	swrRegions := []string{"cn-north-4", "cn-east-3", "ap-southeast-1"}
	// The settings each provider's targets share, as a flow mapping to
	// anchor and as the block lines of one target.
	shared := map[string]string{
		"tcr": "{provider: tcr, credentials: {source: tencent}, refresh-margin: 20m}",
		"swr": "{provider: swr-enterprise, credentials: {source: huawei}, timeout: 90s}",
	}
	sharedLines := map[string]string{
		"tcr": "provider: tcr\n    credentials: {source: tencent}\n    refresh-margin: 20m\n    ",
		"swr": "provider: swr-enterprise\n    credentials: {source: huawei}\n    timeout: 90s\n    ",
	}
	anchored := map[string]bool{}
	for i := range n {
		kind := "tcr"
		if i%4 == 3 {
			kind = "swr"
		}
		switch {
		case !mergeKeys:
			b.WriteString("  - " + sharedLines[kind])
		case !anchored[kind]:
			anchored[kind] = true
			b.WriteString("  - <<: &" + kind + " " + shared[kind] + "\n    ")
		default:
			b.WriteString("  - <<: *" + kind + "\n    ")
		}
		if kind == "swr" {
			fmt.Fprintf(&b, "name: swr-%04d\n    region: %s\n    instance-id: 0b2f7a3e-1c2d-4e5f-8a9b-%012x\n", i, swrRegions[i%len(swrRegions)], i)
		} else {
			fmt.Fprintf(&b, "name: tcr-%04d\n    region: %s\n    instance-id: tcr-%08x\n", i, tcrRegions[i%len(tcrRegions)], i)
		}
		switch {
		case i%10 == 5:
			b.WriteString("    token-type: longterm\n    rotate-every: 14d\n")
		case i%7 == 1:
			fmt.Fprintf(&b, "    description: build fleet %d\n", i/7)
		}
		if i%5 == 2 {
			fmt.Fprintf(&b, "    destinations: [{store: secretsmanager}, {store: secretsmanager, ref: mirror/%04d}]\n", i)
		}
	}
	return b.String()
}

// BenchmarkParse1000Targets parses a 1000-target config (about 190 KB):
// what the function does once per cold start.
func BenchmarkParse1000Targets(b *testing.B) {
	for _, tc := range []struct {
		name  string
		merge bool
	}{{"plain", false}, {"merge-keys", true}} {
		doc := []byte(fleetConfig(1000, tc.merge))
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				cfg, err := Parse(doc, plainKinds())
				if err != nil {
					b.Fatal(err)
				}
				if len(cfg.Targets) != 1000 {
					b.Fatalf("%d targets", len(cfg.Targets))
				}
			}
		})
	}
}

// TestParseLargeConfigWithMergeKeys: a fleet's config written with merge
// keys, larger than the 64 KiB that documents with anchors were once held
// to, parses to the same config as the one written out in full.
func TestParseLargeConfigWithMergeKeys(t *testing.T) {
	t.Parallel()
	const n = 1700
	merged, plain := fleetConfig(n, true), fleetConfig(n, false)
	if len(merged) < 190_000 {
		t.Fatalf("the merged config is %d bytes, want at least 190 KB", len(merged))
	}
	got, err := Parse([]byte(merged), plainKinds())
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse([]byte(plain), plainKinds())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Targets) != n || !reflect.DeepEqual(got, want) {
		t.Errorf("the config with merge keys (%d targets) differs from the one written out", len(got.Targets))
	}
	// An '&' in a value ("R&D") is no anchor, and never lowered the bound.
	rd := strings.ReplaceAll(plain, "description: build fleet", "description: R&D fleet")
	if _, err := Parse([]byte(rd), plainKinds()); err != nil {
		t.Errorf("a %d KB config with R&D in its descriptions: %v", len(rd)>>10, err)
	}
}
