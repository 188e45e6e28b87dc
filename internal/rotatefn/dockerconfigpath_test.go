package rotatefn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalDockerConfigDirectory runs the build-host command of the README,
// -docker-config naming a directory (as docker --config and DOCKER_CONFIG
// do): the credentials go into its config.json, merged with the logins
// already there, the sidecar files sit beside config.json inside the
// directory, and nothing is left next to the directory itself.
func TestLocalDockerConfigDirectory(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	parent := t.TempDir()
	dockerDir := filepath.Join(parent, ".docker")
	if err := os.Mkdir(dockerDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dockerDir, "config.json")
	other := `{"auths":{"other.example.com":{"auth":"b3RoZXI6b3RoZXI="}}}`
	if err := os.WriteFile(path, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	env := merge(c.cloudEnv(), map[string]string{"HOME": t.TempDir()})
	cfg := writeConfig(t, c.config(true, "default-store: file\n"))

	res := runBinary(t, []string{"-config", cfg, "-docker-config", dockerDir}, env)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	got, _ := outcomes(t, res.stdout)
	for _, name := range targetNames {
		if got[name] != "minted" {
			t.Errorf("%s: %q, want minted", name, got[name])
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Auths map[string]json.RawMessage `json:"auths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if _, ok := doc.Auths["other.example.com"]; !ok || len(doc.Auths) != 4 {
		t.Errorf("config.json holds %d logins (other registry kept: %v), want the 3 minted and the one there before", len(doc.Auths), ok)
	}
	for _, side := range []string{"config.json.regmint.json", "config.json.regmint.lock"} {
		if _, err := os.Stat(filepath.Join(dockerDir, side)); err != nil {
			t.Errorf("sidecar %s: %v", side, err)
		}
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != ".docker" {
			t.Errorf("stray file %s next to the docker directory", e.Name())
		}
	}
	c.checkNoLeaks(t, map[string]string{"stdout": res.stdout, "stderr": res.stderr})

	// The second run finds the credentials through the same directory.
	again := runBinary(t, []string{"-config", cfg, "-docker-config", dockerDir}, env)
	got, _ = outcomes(t, again.stdout)
	for _, name := range targetNames {
		if got[name] != "fresh" {
			t.Errorf("second run, %s: %q, want fresh", name, got[name])
		}
	}
}

// TestLocalDockerConfigFileAndBadPath: -docker-config still takes the file
// itself (existing or not yet created), and a path that is neither a file
// nor a directory is refused before anything is minted.
func TestLocalDockerConfigFileAndBadPath(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	env := merge(c.cloudEnv(), map[string]string{"HOME": t.TempDir()})
	cfg := writeConfig(t, c.config(true, "default-store: file\n"))

	newFile := filepath.Join(t.TempDir(), "sub", "docker.json")
	res := runBinary(t, []string{"-config", cfg, "-docker-config", newFile}, env)
	if res.code != 0 {
		t.Fatalf("a new file: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	data, err := os.ReadFile(newFile)
	if err != nil {
		t.Fatal(err)
	}
	checkDockerConfig(t, "docker config", data, 3)

	issued := c.issues()
	dev := "/dev/null"
	if fi, err := os.Stat(dev); err != nil || fi.Mode().IsRegular() {
		t.Skip("no /dev/null device here")
	}
	bad := runBinary(t, []string{"-config", cfg, "-docker-config", dev}, env)
	if bad.code != 2 || !strings.Contains(bad.stderr, `-docker-config: "/dev/null" is neither a regular file nor a directory`) {
		t.Errorf("exit %d, stderr %q; want exit 2 naming -docker-config", bad.code, bad.stderr)
	}
	if n := c.issues() - issued; n != 0 {
		t.Errorf("a bad -docker-config minted %d credentials", n)
	}
}
