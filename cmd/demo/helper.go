package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/registrygate"
)

// demoHelper shows docker-credential-regmint (in helperDir) serving crane:
// a docker config's credHelpers names it for a registry that takes only
// the tokens the TCR emulator minted, and crane pushes and reads an image
// with no login of its own.
func demoHelper(ctx context.Context, p *printer, helperDir string) error {
	p.f("")
	p.f("Docker credential helper: crane with credHelpers naming docker-credential-regmint")
	crane, err := exec.LookPath("crane")
	if err != nil {
		p.f("  skipped: crane is not installed (go install github.com/google/go-containerregistry/cmd/crane@v0.22.1)")
		return nil
	}
	emu := tcrtest.New()
	defer func() { p.secrets(emu.Secrets()...); emu.Close() }()
	key := emu.AddKey()
	inst := emu.AddInstance("ap-guangzhou")
	gate := registrygate.New(emu.RegistryServer(inst.ID))
	defer gate.Close()

	dir, err := os.MkdirTemp("", "regmint-demo-helper-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	helperYAML := fmt.Sprintf("targets:\n  - name: app\n    provider: tcr\n    region: ap-guangzhou\n    instance-id: %s\n    registry: %s\n    api-endpoint: %s\n",
		inst.ID, gate.Host, emu.URL)
	dockerConfig, _ := json.Marshal(map[string]any{"credHelpers": map[string]string{gate.Host: "regmint"}})
	for file, data := range map[string][]byte{"helper.yaml": []byte(helperYAML), "config.json": dockerConfig} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o600); err != nil {
			return err
		}
	}
	p.f("  ~/.docker/config.json: %s", dockerConfig)
	p.f("  helper.yaml:           %s", strings.ReplaceAll(strings.TrimSpace(helperYAML), "\n", " | "))

	ref := gate.Host + "/team/app:v1"
	img, err := random.Image(1024, 2)
	if err != nil {
		return err
	}
	tag, _ := name.NewTag(ref)
	tarPath := filepath.Join(dir, "app.tar")
	if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
		return err
	}
	helperBin, err := filepath.Abs(helperDir)
	if err != nil {
		return err
	}
	env := []string{
		"PATH=" + helperBin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir,
		"DOCKER_CONFIG=" + dir, "REGMINT_HELPER_CONFIG=" + filepath.Join(dir, "helper.yaml"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "NO_PROXY=*",
		tcr.EnvSecretID + "=" + key.ID, tcr.EnvSecretKey + "=" + key.Secret,
	}
	for _, args := range [][]string{{"push", tarPath, ref}, {"digest", ref}, {"ls", gate.Host + "/team/app"}} {
		cmd := exec.CommandContext(ctx, crane, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("crane %s: %w: %s", args[0], err, strings.TrimSpace(errb.String()))
		}
		p.f("  $ crane %s  ->  %s", strings.Join(args, " "), strings.TrimSpace(out.String()))
	}
	served, refused := gate.Requests()
	p.f("  registry (accepts only tokens the emulator minted): %d requests served, %d refused", served, refused)
	p.f("  vendor calls: CreateInstanceToken x%d (then the helper's cache: 0600 file, minted once for three commands)",
		emu.Calls("CreateInstanceToken"))
	return nil
}
