package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// tc3Request is a TCR API call signed with TC3-HMAC-SHA256 the way the
// Tencent Cloud SDK signs it (POST, JSON body, signed headers content-type
// and host, service "tcr").
type tc3Request struct {
	host    string // API host:port
	headers [][2]string
	body    []byte
}

// signTC3 signs action with body for host at ts with key, in region.
func signTC3(key tcrtest.Key, host, region, action string, body []byte, ts time.Time) tc3Request {
	const (
		service     = "tcr"
		algorithm   = "TC3-HMAC-SHA256"
		contentType = "application/json"
	)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	date := ts.UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	canonical := "POST\n/\n\ncontent-type:" + contentType + "\nhost:" + host + "\n\ncontent-type;host\n" + sha256Hex(body)
	sig := tcrtest.Signature(key.Secret, service, date, stamp, scope, canonical)
	r := tc3Request{host: host, body: body, headers: [][2]string{
		{"Content-Type", contentType},
		{"X-TC-Action", action},
		{"X-TC-Version", tcrtest.APIVersion},
		{"X-TC-Timestamp", stamp},
		{"X-TC-Region", region},
		{"X-TC-Language", "en-US"},
		{"X-TC-RequestClient", "regmint-bench"},
		{"Authorization", algorithm + " Credential=" + key.ID + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig},
	}}
	if key.Token != "" {
		r.headers = append(r.headers, [2]string{"X-TC-Token", key.Token})
	}
	return r
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
