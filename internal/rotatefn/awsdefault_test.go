package rotatefn

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// localSMEnv is the environment of a local run writing to the Secrets
// Manager emulator with no AWS keys in it: the AWS config comes from
// what aws adds.
func (c *clouds) localSMEnv(aws map[string]string) map[string]string {
	return merge(map[string]string{"AWS_ENDPOINT_URL_SECRETS_MANAGER": c.sm.URL, "HOME": os.DevNull}, aws)
}

// TestLocalAWSProfile: a build host's profile (AWS_PROFILE, the shared
// config and credentials files) gives the region and the keys.
func TestLocalAWSProfile(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	k := c.sm.Key()
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfgFile, []byte("[profile build]\nregion = "+c.sm.Region+"\n"), 0o600)
	creds := "[build]\naws_access_key_id = " + k.AccessKeyID + "\naws_secret_access_key = " + k.SecretAccessKey + "\n"
	if k.SessionToken != "" {
		creds += "aws_session_token = " + k.SessionToken + "\n"
	}
	os.WriteFile(credFile, []byte(creds), 0o600)
	env := c.localSMEnv(map[string]string{"AWS_PROFILE": "build", "AWS_CONFIG_FILE": cfgFile, "AWS_SHARED_CREDENTIALS_FILE": credFile})
	res := runCLI(t, []string{"-config", writeConfig(t, c.config(false, ""))}, env)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, name := range targetNames {
		checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}

// TestLocalAWSInstanceRole: with no keys and no profile, the EC2 instance
// role from the metadata service (IMDSv2), here an emulator on loopback
// given as the SDK's endpoint override.
func TestLocalAWSInstanceRole(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	k := c.sm.Key()
	var (
		mu    sync.Mutex
		asked []string
	)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path)
		mu.Unlock()
		const creds = "/latest/meta-data/iam/security-credentials/"
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds"))
			io.WriteString(w, "imds-session")
		case r.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-session":
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case r.URL.Path == creds:
			io.WriteString(w, "build-host")
		case r.URL.Path == creds+"build-host":
			json.NewEncoder(w).Encode(map[string]string{
				"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": k.AccessKeyID, "SecretAccessKey": k.SecretAccessKey,
				"Token": k.SessionToken, "Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
				"LastUpdated": time.Now().UTC().Format(time.RFC3339),
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(imds.Close)
	env := c.localSMEnv(map[string]string{"AWS_REGION": c.sm.Region, "AWS_EC2_METADATA_DISABLED": "false",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL})
	res := runCLI(t, []string{"-config", writeConfig(t, c.config(false, ""))}, env)
	mu.Lock()
	defer mu.Unlock()
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s\nIMDS asked: %v", res.code, res.stdout, res.stderr, asked)
	}
	if !strings.Contains(strings.Join(asked, " "), "build-host") {
		t.Errorf("the instance role was not asked for: %v", asked)
	}
	for _, name := range targetNames {
		checkDockerConfig(t, name, []byte(c.current(t, name).Value), 1)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}
