package rotatefn

import (
	"encoding/json"
	"io"
	"time"

	"github.com/regmint/regmint/core/rotation"
)

// jsonReport is the report as one JSON log line (-report json): the
// Lambda's summary counts and one entry per target. It holds no secret:
// every field comes from rotation.Result, which holds none.
type jsonReport struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	Summary
	Results []jsonResult `json:"results"`
}

type jsonResult struct {
	Target       string                       `json:"target"`
	Outcome      rotation.Outcome             `json:"outcome"`
	Reason       string                       `json:"reason,omitempty"`
	Registry     string                       `json:"registry,omitempty"`
	ExpiresAt    *time.Time                   `json:"expires_at,omitempty"`
	TokenID      string                       `json:"token_id,omitempty"`
	Revoked      []string                     `json:"revoked,omitempty"`
	Warnings     []string                     `json:"warnings,omitempty"`
	Destinations []rotation.DestinationResult `json:"destinations"`
}

// writeJSONReport writes rep as one JSON line.
func writeJSONReport(w io.Writer, rep *rotation.Report) error {
	level := "INFO"
	if rep.Err() != nil {
		level = "ERROR"
	}
	out := jsonReport{Time: rep.Finished, Level: level, Msg: "report", Summary: summarize(rep), Results: []jsonResult{}}
	for _, r := range rep.Results {
		jr := jsonResult{Target: r.Target, Outcome: r.Outcome, Reason: r.Reason, Registry: r.Registry, TokenID: r.TokenID,
			Revoked: r.Revoked, Warnings: r.Warnings, Destinations: r.Destinations}
		if !r.ExpiresAt.IsZero() {
			t := r.ExpiresAt.UTC()
			jr.ExpiresAt = &t
		}
		out.Results = append(out.Results, jr)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
