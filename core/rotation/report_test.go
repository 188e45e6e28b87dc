package rotation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/stores"
)

func TestEMF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cloud.fail["tcr-inst0002"] = errStore
	var metrics bytes.Buffer
	eng := e.engine(t, manyDoc(3, "metrics-namespace: regmint-test\n"), rotation.WithMetrics(&metrics))
	rep := eng.Run(context.Background())
	lines := strings.Split(strings.TrimSpace(metrics.String()), "\n")
	// One run line, and one per target whose expiry is known (t2 holds
	// nothing: 0 seconds).
	if len(lines) != 4 {
		t.Fatalf("%d EMF lines, want 4:\n%s", len(lines), metrics.String())
	}
	type directive struct {
		Namespace  string
		Dimensions [][]string
		Metrics    []struct{ Name, Unit string }
	}
	type doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []directive
		} `json:"_aws"`
		Rotated, Skipped, Failed *int
		SecondsToExpiry          *int64
		Target                   string
	}
	var run doc
	if err := json.Unmarshal([]byte(lines[0]), &run); err != nil {
		t.Fatal(err)
	}
	if got, want := run.AWS.Timestamp, rep.Finished.UnixMilli(); got != want {
		t.Errorf("Timestamp %d, want %d", got, want)
	}
	d := run.AWS.CloudWatchMetrics[0]
	if d.Namespace != "regmint-test" || len(d.Dimensions) != 1 || len(d.Dimensions[0]) != 0 {
		t.Errorf("run directive %+v", d)
	}
	var names []string
	for _, m := range d.Metrics {
		names = append(names, m.Name+"/"+m.Unit)
	}
	if got, want := strings.Join(names, ","), "Rotated/Count,Skipped/Count,Failed/Count,SecondsToExpiry/Seconds"; got != want {
		t.Errorf("metrics %s, want %s", got, want)
	}
	if *run.Rotated != 2 || *run.Skipped != 0 || *run.Failed != 1 || *run.SecondsToExpiry != 0 {
		t.Errorf("run values %d %d %d %d", *run.Rotated, *run.Skipped, *run.Failed, *run.SecondsToExpiry)
	}
	for i, line := range lines[1:] {
		var td doc
		if err := json.Unmarshal([]byte(line), &td); err != nil {
			t.Fatal(err)
		}
		d := td.AWS.CloudWatchMetrics[0]
		if td.Target != rep.Results[i].Target || len(d.Dimensions[0]) != 1 || d.Dimensions[0][0] != "Target" || d.Metrics[0].Name != "SecondsToExpiry" {
			t.Errorf("target line %s", line)
		}
		want := int64(3600)
		if td.Target == "t2" {
			want = 0
		}
		if *td.SecondsToExpiry != want {
			t.Errorf("%s SecondsToExpiry %d, want %d", td.Target, *td.SecondsToExpiry, want)
		}
	}
}

func TestReportText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cloud.fail["tcr-inst0001"] = errStore
	rep := e.engine(t, manyDoc(2, "")).Run(context.Background())
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `minted     t0  registry=tcr-inst0000.example.test  expires=2025-03-01T13:00:00Z (in 60m)  verify=good  to=secretsmanager:t0(written)  reason="secretsmanager:t0: missing"
failed     t1  expires=none-stored  to=secretsmanager:t1(unchanged)  reason="issue: secretsmanager PutSecretValue: ThrottlingException: Rate exceeded (request id 7f3c)"
2 targets: 1 minted, 0 skipped, 1 failed in 0s
`
	if got := b.String(); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cloud.fail["tcr-inst0001"] = errStore
	var logs bytes.Buffer
	eng := e.engine(t, manyDoc(3, ""), rotation.WithLogger(newJSONLogger(&logs)))
	eng.Run(context.Background())
	e.clock.Advance(time.Minute)
	eng.Run(context.Background())
	perTarget := map[string]int{}
	runs := 0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		switch m["msg"] {
		case "target":
			perTarget[m["target"].(string)]++
			if m["target"] == "t1" && (m["level"] != "ERROR" || m["outcome"] != "failed") {
				t.Errorf("t1 line %s", line)
			}
		case "run":
			runs++
		default:
			t.Errorf("unexpected line %s", line)
		}
	}
	if runs != 2 || perTarget["t0"] != 2 || perTarget["t1"] != 2 || perTarget["t2"] != 2 {
		t.Errorf("runs %d, per target %v: want one line per target per run", runs, perTarget)
	}
}

func TestNewChecksWiring(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(`
credential-sources:
  tencent: {secret: regmint-source/tencent}
targets:
  - {name: tcr-prod, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {source: tencent}}
  - name: swr-ci
    provider: swr-enterprise
    region: cn-north-4
    instance-id: swr-inst-01
    credentials: {secret: regmint-source/huawei}
    destinations: [{store: secretsmanager}, {store: file, ref: build-host}]
  - {name: tcr-local, provider: tcr, region: ap-shanghai, instance-id: tcr-local001, credentials: {env: true}, destination: {store: file}}
`), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	factory := func(core.Target) (core.Issuer, error) { return nil, nil }
	_, err = rotation.New(cfg, factory)
	for _, want := range []string{
		"no file store was given, but targets swr-ci, tcr-local write to one",
		"no secretsmanager store was given, but targets tcr-prod, swr-ci write to one",
		"no client was given (WithSecrets)",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New = %v, want %q", err, want)
		}
	}
	if _, err := rotation.New(nil, factory); err == nil {
		t.Error("New accepted no config")
	}
	if _, err := rotation.New(cfg, nil); err == nil {
		t.Error("New accepted no factory")
	}
}

// TestReportTextEscapesOutsideValues (issue 12, item 1): a registry, token
// id or revoked id from an API or a store cannot start a line of its own in
// the local report.
func TestReportTextEscapesOutsideValues(t *testing.T) {
	t.Parallel()
	rep := &rotation.Report{Results: []rotation.Result{{
		Target: "t0", Outcome: rotation.Failed,
		Registry: "reg.example.com\n::warning::forged-registry",
		TokenID:  "tok\n::stop-commands::x",
		Revoked:  []string{"old\r\nforged-revoked"},
	}}}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("report has %d lines, want one for the target and the summary:\n%s", len(lines), b.String())
	}
	for _, want := range []string{`registry="reg.example.com\n::warning::forged-registry"`, `token="tok\n::stop-commands::x"`, `revoked="old\r\nforged-revoked"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("report line %q does not hold %s", lines[0], want)
		}
	}
}
