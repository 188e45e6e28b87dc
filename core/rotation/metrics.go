package rotation

import (
	"bytes"
	"encoding/json"
	"io"
)

// Metric names of the EMF lines, for alarms.
const (
	// MetricRotated counts targets minted in a run.
	MetricRotated = "Rotated"
	// MetricSkipped counts targets fresh (or superseded) in a run.
	MetricSkipped = "Skipped"
	// MetricFailed counts failed targets in a run.
	MetricFailed = "Failed"
	// MetricSecondsToExpiry is the time left of the stored credential:
	// per run the minimum across targets (no dimension), and per target
	// with the dimension DimensionTarget.
	MetricSecondsToExpiry = "SecondsToExpiry"
	// DimensionTarget is the dimension holding the target's name.
	DimensionTarget = "Target"
)

// emf is the _aws member of an embedded metric format document.
type emf struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// runMetrics is the run-level EMF document.
type runMetrics struct {
	AWS             emf    `json:"_aws"`
	Rotated         int    `json:"Rotated"`
	Skipped         int    `json:"Skipped"`
	Failed          int    `json:"Failed"`
	SecondsToExpiry *int64 `json:"SecondsToExpiry,omitempty"`
}

// targetMetrics is a per-target EMF document.
type targetMetrics struct {
	AWS             emf    `json:"_aws"`
	Target          string `json:"Target"`
	SecondsToExpiry int64  `json:"SecondsToExpiry"`
}

// WriteEMF writes the run's metrics as CloudWatch embedded metric format
// lines (one JSON document per line, which Lambda's log capture turns into
// metrics): one run document with Rotated, Skipped and Failed counts and the
// minimum SecondsToExpiry across targets, without dimensions; and one
// document per target whose expiry is known, with SecondsToExpiry and the
// dimension Target. The timestamp is the run's end.
func (r *Report) WriteEMF(w io.Writer, namespace string) error {
	ts := r.Finished.UnixMilli()
	directive := func(dims []string, metrics ...emfMetric) emf {
		return emf{Timestamp: ts, CloudWatchMetrics: []emfDirective{{Namespace: namespace, Dimensions: [][]string{dims}, Metrics: metrics}}}
	}
	seconds := emfMetric{Name: MetricSecondsToExpiry, Unit: "Seconds"}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	rotated, skipped, failed := r.Counts()
	run := runMetrics{Rotated: rotated, Skipped: skipped, Failed: failed}
	metrics := []emfMetric{{Name: MetricRotated, Unit: "Count"}, {Name: MetricSkipped, Unit: "Count"}, {Name: MetricFailed, Unit: "Count"}}
	if min, ok := r.MinSecondsToExpiry(); ok {
		run.SecondsToExpiry = &min
		metrics = append(metrics, seconds)
	}
	run.AWS = directive([]string{}, metrics...)
	if err := enc.Encode(run); err != nil {
		return err
	}
	for _, res := range r.Results {
		if !res.HasExpiry {
			continue
		}
		doc := targetMetrics{AWS: directive([]string{DimensionTarget}, seconds), Target: res.Target, SecondsToExpiry: res.SecondsToExpiry}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}
