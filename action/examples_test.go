package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/readmetest"
)

// workflowStep and workflowFile are what the example tests read of a
// workflow: its trigger, permissions and steps.
type workflowStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

type workflowJob struct {
	RunsOn      string            `yaml:"runs-on"`
	Permissions map[string]string `yaml:"permissions"`
	Steps       []workflowStep    `yaml:"steps"`
}

type workflowFile struct {
	On          yaml.Node              `yaml:"on"`
	Permissions map[string]string      `yaml:"permissions"`
	Jobs        map[string]workflowJob `yaml:"jobs"`
}

// readWorkflow parses a workflow file, failing the test if it is not one.
func readWorkflow(t *testing.T, path string) (workflowFile, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflowFile
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return wf, string(raw)
}

// exampleWorkflows lists examples/*.yml.
func exampleWorkflows(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../examples/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("examples/ holds %d workflows, want one per provider and auth path", len(files))
	}
	return files
}

// exampleCloud is the emulated cloud an example workflow runs against: what
// its ${{ ... }} expressions and its placeholder literals stand for there,
// the endpoints the test adds, and what the outputs must be.
type exampleCloud struct {
	exprs     map[string]string    // "secrets.X" / "vars.X" -> value
	literals  map[[2]string]string // {input, placeholder} -> value
	endpoints map[string]string    // api-endpoint, iam-endpoint, sts-endpoint
	env       map[string]string    // OIDC request URL, SSL_CERT_FILE
	oidc      *githubOIDC
	registry  func(provider string) string
	secrets   func() []string
}

// accountInputs are the inputs whose value is the user's own (an instance,
// a role, a user): an example writes a placeholder, which must be one the
// test knows, or an expression.
var accountInputs = map[string]bool{inputInstanceID: true, inputRoleARN: true, inputOIDCProviderID: true, inputIdPID: true,
	inputAudience: true, inputIAMUser: true, inputIAMDomain: true, inputProjectID: true, inputRegistry: true}

func tcrExampleCloud(t *testing.T) *exampleCloud {
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()
	idTok := emu.IssueWebIdentityToken(time.Hour)
	gh := newGitHubOIDC(t, idTok)
	return &exampleCloud{
		exprs: map[string]string{"secrets.TENCENTCLOUD_SECRET_ID": key.ID, "secrets.TENCENTCLOUD_SECRET_KEY": key.Secret},
		literals: map[[2]string]string{
			{inputInstanceID, "tcr-abcd1234"}:                                 inst.ID,
			{inputRoleARN, "qcs::cam::uin/100012345678:roleName/github-push"}: emu.RoleARN,
			{inputOIDCProviderID, "github-actions"}:                           emu.OIDCProviderID,
		},
		endpoints: map[string]string{inputAPIEndpoint: emu.URL, inputSTSEndpoint: emu.STSURL},
		env:       merge(gh.env(), map[string]string{"SSL_CERT_FILE": certFile(t, emu.STSCertificate().Raw)}),
		oidc:      gh,
		registry:  func(string) string { return emu.RegistryServer(inst.ID).Host },
		secrets:   func() []string { return append([]string{key.Secret, idTok, gh.requestToken}, emu.Secrets()...) },
	}
}

func swrExampleCloud(t *testing.T) *exampleCloud {
	emu := swrtest.New()
	t.Cleanup(emu.Close)
	const region = "cn-north-4"
	acct := emu.NewAccount(swrtest.InRegions(region))
	inst := emu.NewInstance(acct, region)
	idp := emu.NewIdP(acct)
	idTok := idp.Token("repo:regmint/test:ref:refs/heads/main", time.Hour)
	gh := newGitHubOIDC(t, idTok)
	return &exampleCloud{
		exprs: map[string]string{
			"secrets.HUAWEICLOUD_SDK_AK": acct.AK, "secrets.HUAWEICLOUD_SDK_SK": acct.SK, "secrets.HUAWEI_IAM_PASSWORD": acct.Password,
			"vars.SWR_INSTANCE_ID": inst.ID, "vars.HUAWEI_IDP_CLIENT_ID": idp.ClientID,
		},
		literals: map[[2]string]string{
			{inputIdPID, "github-actions"}: idp.ID,
			{inputIAMUser, "ci-pusher"}:    acct.UserName,
			{inputIAMDomain, "my-account"}: acct.DomainName,
		},
		endpoints: map[string]string{inputAPIEndpoint: emu.SWRURL, inputIAMEndpoint: emu.IAMURL},
		env:       gh.env(),
		oidc:      gh,
		registry: func(provider string) string {
			if provider == "swr" {
				return emu.SharedRegistry(region).Host
			}
			return inst.Registry.Host
		},
		secrets: func() []string { return append([]string{idTok, gh.requestToken}, emu.Secrets()...) },
	}
}

// reExpr matches a whole ${{ ... }} expression.
var reExpr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// exampleInputs turns a regmint step's with: into the inputs the runner
// would pass in the emulated cloud, failing on anything it cannot stand for.
func exampleInputs(t *testing.T, with map[string]string, c *exampleCloud) map[string]string {
	t.Helper()
	in := map[string]string{}
	for name, v := range with {
		switch {
		case reExpr.MatchString(v):
			v = reExpr.ReplaceAllStringFunc(v, func(e string) string {
				key := reExpr.FindStringSubmatch(e)[1]
				val, ok := c.exprs[key]
				if !ok {
					t.Errorf("input %s: expression %s has no emulated value", name, e)
				}
				return val
			})
		case accountInputs[name]:
			val, ok := c.literals[[2]string{name, v}]
			if !ok {
				t.Errorf("input %s: placeholder %q has no emulated value", name, v)
			}
			v = val
		}
		in[name] = v
	}
	for name, v := range c.endpoints {
		if _, set := with[name]; set {
			t.Errorf("an example sets %s: endpoint overrides are for tests and private regions", name)
		}
		if name == inputSTSEndpoint && in[inputProvider] != "tcr" || name == inputIAMEndpoint && in[inputProvider] == "tcr" {
			continue
		}
		in[name] = v
	}
	return in
}

// regmintStep returns the job and the one step of wf that uses regmint.
func regmintStep(t *testing.T, wf workflowFile) (workflowJob, workflowStep) {
	t.Helper()
	var job workflowJob
	var step workflowStep
	n := 0
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "regmint/regmint@") {
				job, step = j, s
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d steps use regmint/regmint, want 1", n)
	}
	return job, step
}

// TestExampleWorkflows checks each examples/*.yml as a user would copy it:
// a complete workflow (on, permissions, jobs, steps), the action's inputs
// and outputs named as action.yml names them, id-token: write where the
// login is keyless; then runs the action binary with the regmint step's
// with: inputs, expressions and placeholders replaced by the emulated
// clouds' values, and checks the outputs log in to the emulated registry.
func TestExampleWorkflows(t *testing.T) {
	t.Parallel()
	md := readActionMetadata(t)
	for _, path := range exampleWorkflows(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			wf, raw := readWorkflow(t, path)
			if wf.On.Kind == 0 || len(wf.Permissions) == 0 || len(wf.Jobs) == 0 {
				t.Fatalf("not a complete workflow: on, permissions and jobs are required")
			}
			job, step := regmintStep(t, wf)
			if job.RunsOn == "" || len(job.Steps) < 3 {
				t.Errorf("the job lacks runs-on or the steps around regmint (checkout, login)")
			}
			if step.Uses != "regmint/regmint@v1" {
				t.Errorf("uses %s, want regmint/regmint@v1", step.Uses)
			}
			if step.ID == "" {
				t.Fatal("the regmint step has no id, so its outputs cannot be used")
			}
			for name := range step.With {
				if _, ok := md.Inputs[name]; !ok {
					t.Errorf("with: %s is not an input of action.yml", name)
				}
			}
			refs := regexp.MustCompile(`steps\.`+regexp.QuoteMeta(step.ID)+`\.outputs\.([a-z-]+)`).FindAllStringSubmatch(raw, -1)
			if len(refs) == 0 {
				t.Error("no later step uses the regmint step's outputs")
			}
			for _, m := range refs {
				if _, ok := md.Outputs[m[1]]; !ok {
					t.Errorf("steps.%s.outputs.%s is not an output of action.yml", step.ID, m[1])
				}
			}
			keyless := step.With[inputRoleARN] != "" || step.With[inputIdPID] != ""
			perm := wf.Permissions["id-token"]
			if p, ok := job.Permissions["id-token"]; ok {
				perm = p
			}
			if keyless != (perm == "write") {
				t.Errorf("keyless %v but id-token permission %q: keyless needs id-token: write, and only keyless does", keyless, perm)
			}

			provider := step.With[inputProvider]
			var c *exampleCloud
			switch provider {
			case "tcr":
				c = tcrExampleCloud(t)
			case "swr", "swr-enterprise":
				c = swrExampleCloud(t)
			default:
				t.Fatalf("provider %q", provider)
			}
			in := exampleInputs(t, step.With, c)
			if t.Failed() {
				return
			}
			env := map[string]string{}
			if keyless {
				env = c.env
			}
			res := runStep(t, false, in, env)
			if res.exitCode != 0 {
				t.Fatalf("step failed (%d):\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
			}
			if got, want := res.outputs[outputRegistry], c.registry(provider); got != want {
				t.Errorf("registry = %q, want %q", got, want)
			}
			if !loginOK(res.outputs) {
				t.Fatal("the emulated registry does not accept the outputs")
			}
			pass := res.outputs[outputPassword]
			secrets := append(c.secrets(), pass, core.DockerAuth(res.outputs[outputUsername], pass))
			checkMasks(t, res, pass, res.outputs[outputDockerConfig])
			checkNoLeaks(t, res, secrets)
			if keyless && len(c.oidc.seen()) != 1 {
				t.Errorf("OIDC token requested %d times, want 1", len(c.oidc.seen()))
			}
			if id := res.outputs[outputTokenID]; id != "" && provider != "swr" {
				post := runStep(t, true, in, merge(env, map[string]string{"STATE_" + stateTokenID: id}))
				if post.exitCode != 0 || loginOK(res.outputs) {
					t.Errorf("post step (exit %d) left the long-term token working:\n%s%s", post.exitCode, post.stdout, post.stderr)
				}
			}
		})
	}
}

// reUses matches a uses: line and the comment after it.
var reUses = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)

// rePinned is a third-party action pinned by full commit SHA, with the tag
// it stands for in a comment.
var rePinned = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)

// TestWorkflowsSupplyChain keeps the workflows (CI, release and examples)
// as issue 12 left them: every third-party action pinned by commit SHA with
// its tag in a comment, every checkout without persisted credentials, CI
// read-only, and write permissions only on the release jobs that push.
func TestWorkflowsSupplyChain(t *testing.T) {
	t.Parallel()
	ci, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil || len(ci) == 0 {
		t.Fatalf("no workflows (%v)", err)
	}
	for _, path := range append(ci, exampleWorkflows(t)...) {
		wf, raw := readWorkflow(t, path)
		name := strings.TrimPrefix(path, "../")
		for _, m := range reUses.FindAllStringSubmatch(raw, -1) {
			uses, comment := m[1], strings.TrimSpace(m[2])
			if strings.HasPrefix(uses, "./") || strings.HasPrefix(uses, "regmint/regmint@") {
				continue
			}
			if !rePinned.MatchString(uses) || !regexp.MustCompile(`^# v\d+\.\d+\.\d+\b`).MatchString(comment) {
				t.Errorf("%s: uses %s %s: want owner/repo@<full commit SHA> # vX.Y.Z", name, uses, comment)
			}
		}
		var jobs []string
		for j := range wf.Jobs {
			jobs = append(jobs, j)
		}
		sort.Strings(jobs)
		for _, j := range jobs {
			for _, s := range wf.Jobs[j].Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false" {
					t.Errorf("%s: job %s: checkout without persist-credentials: false", name, j)
				}
			}
			if !strings.HasPrefix(name, ".github/") {
				continue
			}
			for p, v := range wf.Jobs[j].Permissions {
				allowed := name == ".github/workflows/release.yml" &&
					(j == "image" && (p == "packages" || p == "id-token") || j == "publish" && p == "contents" ||
						j == "binaries" && (p == "contents" || p == "id-token"))
				if v == "write" && !allowed {
					t.Errorf("%s: job %s has %s: write; only the release jobs that push may write", name, j, p)
				}
			}
		}
		if strings.HasPrefix(name, ".github/") {
			if len(wf.Permissions) != 1 || wf.Permissions["contents"] != "read" {
				t.Errorf("%s: workflow permissions %v, want the read-only default contents: read", name, wf.Permissions)
			}
		}
	}
}

// readActionMetadata parses action.yml.
func readActionMetadata(t *testing.T) actionMetadata {
	t.Helper()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var md actionMetadata
	if err := sigsyaml.Unmarshal(raw, &md); err != nil {
		t.Fatal(err)
	}
	return md
}

// docSnippet is a code block in a doc that is cut from an example file:
// the whole file but its opening comment, or (step) only its regmint step.
type docSnippet struct {
	doc, part, example string
	step               bool
}

var docSnippets = []docSnippet{
	{"README.md", "example:tcr-keyless", "examples/tcr-keyless.yml", false},
	{"README.md", "example:tcr-access-keys", "examples/tcr-access-keys.yml", true},
	{"README.md", "example:swr-enterprise-iam-password", "examples/swr-enterprise-iam-password.yml", true},
	{"README.md", "example:swr-enterprise-access-keys", "examples/swr-enterprise-access-keys.yml", true},
	{"README.md", "example:swr-enterprise-keyless", "examples/swr-enterprise-keyless.yml", true},
	{"README.md", "example:swr-access-keys", "examples/swr-access-keys.yml", true},
	{"README.md", "example:rotation-build-host", "examples/rotation-build-host.yaml", false},
	{"docs/config.md", "example:rotation", "examples/rotation.yaml", false},
	{"docs/deploy-aws.md", "example:consume/secretsmanager", "examples/consume/secretsmanager.yml", false},
	{"docs/github-secrets.md", "example:consume/github-secrets", "examples/consume/github-secrets.yml", false},
}

// TestDocSnippetsFromExamples keeps the README's and the docs' workflow and
// config blocks equal to the example files they are cut from, which the
// other tests and actionlint check; every example workflow is shown.
//
//	REGMINT_UPDATE_README=1 go test ./action -run TestDocSnippetsFromExamples
func TestDocSnippetsFromExamples(t *testing.T) {
	shown := map[string]bool{}
	for _, s := range docSnippets {
		raw, err := os.ReadFile("../" + s.example)
		if err != nil {
			t.Fatal(err)
		}
		text := dropLeadingComment(string(raw))
		if s.step {
			text = regmintStepLines(t, s.example, text)
		}
		readmetest.Sync(t, "../"+s.doc, s.part, "```yaml\n"+text+"```\n", "go test ./action -run TestDocSnippetsFromExamples")
		shown[s.example] = true
	}
	for _, path := range exampleWorkflows(t) {
		if name := strings.TrimPrefix(path, "../"); !shown[name] {
			t.Errorf("%s is not shown in the README", name)
		}
	}
}

// dropLeadingComment removes the comment lines a file opens with, and the
// blank lines after them.
func dropLeadingComment(s string) string {
	lines := strings.SplitAfter(s, "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], "#") {
		i++
	}
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return strings.Join(lines[i:], "")
}

// regmintStepLines returns the lines of the step that uses regmint, as
// written (indented as in the workflow).
func regmintStepLines(t *testing.T, name, s string) string {
	t.Helper()
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if !strings.HasPrefix(trimmed, "- ") {
			continue
		}
		indent := len(l) - len(trimmed)
		j := i + 1
		for j < len(lines) {
			rest := strings.TrimLeft(lines[j], " ")
			if rest == "" || len(lines[j])-len(rest) <= indent {
				break
			}
			j++
		}
		step := strings.Join(lines[i:j], "")
		if strings.Contains(step, "uses: regmint/regmint@") {
			return step
		}
	}
	t.Fatalf("%s has no regmint step", name)
	return ""
}
