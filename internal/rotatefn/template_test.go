package rotatefn

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
)

// templatePath is the SAM template at the repository's root.
var templatePath = filepath.Join("..", "..", "template.yaml")

// goformationMu serialises parses: goformation registers its YAML tag
// resolvers in a package-level map on every parse.
var goformationMu sync.Mutex

// parseTemplate parses template.yaml with goformation, evaluating its
// conditions with the parameters' defaults (and overrides). Intrinsics are
// resolved so that tests can read them: pseudo parameters to fixed values
// (partition aws), parameters to their values, resources to "{{Name}}" and
// attributes to "{{Name.Attr}}".
func parseTemplate(t *testing.T, overrides map[string]any) *cloudformation.Template {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(name string, tmpl any) any {
		if name == "AWS::Partition" {
			return "aws"
		}
		if m, ok := tmpl.(map[string]any); ok {
			if res, ok := m["Resources"].(map[string]any); ok && res[name] != nil {
				return "{{" + name + "}}"
			}
		}
		return intrinsics.Ref("Ref", name, tmpl)
	}
	getAtt := func(in any) any {
		switch v := in.(type) {
		case []any:
			if len(v) == 2 {
				return fmt.Sprintf("{{%v.%v}}", v[0], v[1])
			}
		case string:
			return "{{" + v + "}}"
		}
		return nil
	}
	subVar := regexp.MustCompile(`\$\{([A-Za-z0-9:.]+)\}`)
	goformationMu.Lock()
	defer goformationMu.Unlock()
	tmpl, err := goformation.ParseYAMLWithOptions(data, &intrinsics.ProcessorOptions{
		EvaluateConditions: true,
		ParameterOverrides: overrides,
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        func(_ string, in, tmpl any) any { s, _ := in.(string); return ref(s, tmpl) },
			"Fn::GetAtt": func(_ string, in, _ any) any { return getAtt(in) },
			"Fn::Sub": func(_ string, in, tmpl any) any {
				s, ok := in.(string)
				if !ok {
					return nil
				}
				return subVar.ReplaceAllStringFunc(s, func(v string) string {
					name := v[2 : len(v)-1]
					var r any
					if strings.Contains(name, ".") {
						r = getAtt(name)
					} else {
						r = ref(name, tmpl)
					}
					return fmt.Sprint(r)
				})
			},
		},
	})
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return tmpl
}

func TestTemplateFunction(t *testing.T) {
	t.Parallel()
	tmpl := parseTemplate(t, nil)
	g, err := tmpl.GetServerlessGlobalFunction()
	if err != nil {
		t.Fatal(err)
	}
	if g.Runtime == nil || *g.Runtime != "provided.al2023" || g.Handler == nil || *g.Handler != "bootstrap" ||
		g.Architectures == nil || !slices.Equal(*g.Architectures, []string{"arm64"}) {
		t.Errorf("Globals.Function: runtime %v, handler %v, architectures %v", g.Runtime, g.Handler, g.Architectures)
	}
	if g.MemorySize == nil || *g.MemorySize != 128 || g.Timeout == nil || *g.Timeout < 60 || *g.Timeout > 900 {
		t.Errorf("Globals.Function: memory %v, timeout %v", g.MemorySize, g.Timeout)
	}
	fn, err := tmpl.GetServerlessFunctionWithName("RotateFunction")
	if err != nil {
		t.Fatal(err)
	}
	if got := fn.AWSCloudFormationMetadata["BuildMethod"]; got != "makefile" {
		t.Errorf("Metadata.BuildMethod %v, want makefile (Makefile target build-RotateFunction)", got)
	}
	if fn.CodeUri == nil || fn.CodeUri.String == nil || *fn.CodeUri.String != "." {
		t.Errorf("CodeUri %v, want .", fn.CodeUri)
	}
	if fn.ReservedConcurrentExecutions == nil || *fn.ReservedConcurrentExecutions != 1 {
		t.Errorf("ReservedConcurrentExecutions %v, want 1", fn.ReservedConcurrentExecutions)
	}
	if fn.Role == nil || *fn.Role != "{{RotateRole.Arn}}" || fn.Policies != nil {
		t.Errorf("Role %v, Policies %v: want the template's own role only", fn.Role, fn.Policies)
	}
	ev, ok := fn.Events["Schedule"]
	switch {
	case !ok || ev.Type != "Schedule" || ev.Properties == nil || ev.Properties.ScheduleEvent == nil:
		t.Errorf("Events.Schedule %+v, want Type Schedule", ev)
	case ev.Properties.ScheduleEvent.Schedule != "rate(10 minutes)":
		t.Errorf("schedule %q, want the ScheduleExpression parameter (default rate(10 minutes))", ev.Properties.ScheduleEvent.Schedule)
	}
	if p := tmpl.Parameters["ScheduleExpression"]; p.Default != "rate(10 minutes)" {
		t.Errorf("ScheduleExpression default %v", p.Default)
	}
	env := map[string]string{}
	if fn.Environment != nil {
		env = fn.Environment.Variables
	}
	for k, want := range map[string]string{
		config.EnvConfigSSMParameter: "/regmint/config", envNamePrefix: config.DefaultNamePrefix, envMetricsNamespace: config.DefaultMetricsNamespace,
	} {
		if env[k] != want {
			t.Errorf("environment %s = %q, want %q", k, env[k], want)
		}
	}
	dest := fn.EventInvokeConfig
	if dest == nil || dest.DestinationConfig == nil || dest.DestinationConfig.OnFailure == nil ||
		dest.DestinationConfig.OnFailure.Destination != "{{FailureQueue.Arn}}" || *dest.DestinationConfig.OnFailure.Type != "SQS" {
		t.Errorf("EventInvokeConfig %+v, want an SQS on-failure destination", dest)
	}
	if _, err := tmpl.GetSQSQueueWithName("FailureQueue"); err != nil {
		t.Error(err)
	}
	lg, err := tmpl.GetLogsLogGroupWithName("RotateLogGroup")
	if err != nil {
		t.Fatal(err)
	}
	if lg.RetentionInDays == nil || *lg.RetentionInDays != 30 || lg.LogGroupName == nil ||
		*lg.LogGroupName != "/aws/lambda/"+*fn.FunctionName || !slices.Contains(fn.AWSCloudFormationDependsOn, "RotateLogGroup") {
		t.Errorf("log group %v retention %v for function %v (depends on %v)", lg.LogGroupName, lg.RetentionInDays, fn.FunctionName, fn.AWSCloudFormationDependsOn)
	}
}

// TestTemplateConfigFile: with ConfigFile set, the function reads the
// bundled file (REGMINT_CONFIG_FILE) and not the SSM parameter, which its
// role may then not read; by default, the parameter.
func TestTemplateConfigFile(t *testing.T) {
	t.Parallel()
	if p, ok := parseTemplate(t, nil).Parameters["ConfigFile"]; !ok || p.Default != "" || p.Type != "String" {
		t.Errorf("parameter ConfigFile %+v, want a String defaulting to empty", p)
	}
	for _, tc := range []struct {
		name      string
		overrides map[string]any
		env       map[string]string // "" for absent
		config    bool              // the role's Config statement
	}{
		{"default", nil, map[string]string{config.EnvConfigFile: "", config.EnvConfigSSMParameter: "/regmint/config"}, true},
		{"bundled file", map[string]any{"ConfigFile": "regmint.yaml"},
			map[string]string{config.EnvConfigFile: "regmint.yaml", config.EnvConfigSSMParameter: ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmpl := parseTemplate(t, tc.overrides)
			fn, err := tmpl.GetServerlessFunctionWithName("RotateFunction")
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			if fn.Environment != nil {
				env = fn.Environment.Variables
			}
			for k, want := range tc.env {
				if got := env[k]; got != want {
					t.Errorf("environment %s = %q, want %q", k, got, want)
				}
			}
			if _, ok := statements(t, tmpl)["Config"]; ok != tc.config {
				t.Errorf("the role reads the config parameter: %v, want %v", ok, tc.config)
			}
		})
	}
}

// statements returns every statement of the role's inline policies.
func statements(t *testing.T, tmpl *cloudformation.Template) map[string]map[string]any {
	t.Helper()
	role, err := tmpl.GetIAMRoleWithName("RotateRole")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, p := range role.Policies {
		if p.PolicyDocument == nil {
			continue // a policy whose condition is false
		}
		doc := p.PolicyDocument.(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			st := s.(map[string]any)
			out[st["Sid"].(string)] = st
		}
	}
	return out
}

func asList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// TestTemplatePoliciesScoped: every statement allows named actions on named
// resources: no "*" resource, no wildcard in an ARN's service, region or
// account, no "service:*" action.
func TestTemplatePoliciesScoped(t *testing.T) {
	t.Parallel()
	const account = "123456789012"
	for _, tc := range []struct {
		name      string
		overrides map[string]any
		want      map[string][]string // sid -> resources
	}{
		{"defaults", nil, map[string][]string{
			"Logs":               {"arn:aws:logs:us-east-1:" + account + ":log-group:/aws/lambda/goformation-stack-rotate:*"},
			"DestinationSecrets": {"arn:aws:secretsmanager:us-east-1:" + account + ":secret:regmint/*"},
			"Config":             {"arn:aws:ssm:us-east-1:" + account + ":parameter/regmint/config"},
			"FailureDestination": {"{{FailureQueue.Arn}}"},
			"BatchReadSecrets":   {"*"},
		}},
		{"sources and KMS key", map[string]any{
			"SourceSecretArns": []any{"arn:aws:secretsmanager:us-east-1:" + account + ":secret:src/tencent-AbCdEf"},
			"KmsKeyArn":        "arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"NamePrefix":       "ci/regmint/",
		}, map[string][]string{
			"DestinationSecrets": {"arn:aws:secretsmanager:us-east-1:" + account + ":secret:ci/regmint/*"},
			"SourceSecrets":      {"arn:aws:secretsmanager:us-east-1:" + account + ":secret:src/tencent-AbCdEf"},
			"SecretsKey":         {"arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sts := statements(t, parseTemplate(t, tc.overrides))
			for sid, want := range tc.want {
				if got := asList(sts[sid]["Resource"]); !slices.Equal(got, want) {
					t.Errorf("statement %s resources %q, want %q", sid, got, want)
				}
			}
			_, hasSources := sts["SourceSecrets"]
			_, hasKMS := sts["SecretsKey"]
			if tc.overrides == nil && (hasSources || hasKMS) {
				t.Error("without source secrets or a KMS key, their statements must be absent")
			}
			for sid, st := range sts {
				if st["Effect"] != "Allow" {
					t.Errorf("%s: effect %v", sid, st["Effect"])
				}
				for _, a := range asList(st["Action"]) {
					if a == "*" || strings.HasSuffix(a, ":*") || !strings.Contains(a, ":") {
						t.Errorf("%s: action %q is not a named action", sid, a)
					}
				}
				res := asList(st["Resource"])
				if len(res) == 0 {
					t.Errorf("%s: no resource", sid)
				}
				if sid == "BatchReadSecrets" {
					// BatchGetSecretValue has no resource type: IAM takes
					// it on "*" only, and it reads only secrets the role
					// may GetSecretValue. Nothing else may ride along.
					if a := asList(st["Action"]); !slices.Equal(a, []string{"secretsmanager:BatchGetSecretValue"}) || !slices.Equal(res, []string{"*"}) {
						t.Errorf("%s: actions %q on %q, want only secretsmanager:BatchGetSecretValue on *", sid, a, res)
					}
					continue
				}
				for _, r := range res {
					checkScoped(t, sid, r)
				}
			}
		})
	}
}

// checkScoped fails for "*" and for an ARN with a wildcard before its
// resource part or a resource part that is only a wildcard.
func checkScoped(t *testing.T, sid, r string) {
	t.Helper()
	if strings.HasPrefix(r, "{{") {
		return // a resource of the template
	}
	f := strings.SplitN(r, ":", 6)
	if r == "*" || len(f) != 6 || f[0] != "arn" {
		t.Errorf("%s: resource %q is not an ARN", sid, r)
		return
	}
	for _, part := range f[1:5] {
		if strings.ContainsAny(part, "*?") {
			t.Errorf("%s: resource %q has a wildcard in its partition, service, region or account", sid, r)
		}
	}
	rest := f[5]
	if _, after, ok := strings.Cut(rest, ":"); ok && f[2] == "secretsmanager" {
		rest = after // secret:<name>
	}
	if strings.Trim(rest, "*/") == "" || rest == "secret:*" || rest == "parameter/*" || rest == "key/*" {
		t.Errorf("%s: resource %q covers the whole service", sid, r)
	}
}

// TestTemplateAlarms: alarms on failed targets and on the minimum time to
// expiry, from the EMF metrics the engine logs, and on function errors.
func TestTemplateAlarms(t *testing.T) {
	t.Parallel()
	topic := "arn:aws:sns:us-east-1:123456789012:ops"
	tmpl := parseTemplate(t, map[string]any{"AlarmTopicArn": topic})
	for _, tc := range []struct {
		name, namespace, metric, statistic, op, missing string
		dims                                            int
	}{
		{"FailedTargetsAlarm", config.DefaultMetricsNamespace, rotation.MetricFailed, "Maximum", "GreaterThanThreshold", "notBreaching", 0},
		{"ExpiryAlarm", config.DefaultMetricsNamespace, rotation.MetricSecondsToExpiry, "Minimum", "LessThanThreshold", "breaching", 0},
		{"FunctionErrorsAlarm", "AWS/Lambda", "Errors", "Sum", "GreaterThanThreshold", "notBreaching", 1},
	} {
		a, err := tmpl.GetCloudWatchAlarmWithName(tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := fmt.Sprintf("%v %v %v %v %v %d", deref(a.Namespace), deref(a.MetricName), deref(a.Statistic), a.ComparisonOperator, deref(a.TreatMissingData), len(a.Dimensions))
		want := fmt.Sprintf("%v %v %v %v %v %d", tc.namespace, tc.metric, tc.statistic, tc.op, tc.missing, tc.dims)
		if got != want {
			t.Errorf("%s: %s, want %s", tc.name, got, want)
		}
		if !slices.Equal(a.AlarmActions, []string{topic}) {
			t.Errorf("%s: actions %v, want the topic", tc.name, a.AlarmActions)
		}
		if a.Period == nil || *a.Period < 60 || a.Threshold == nil {
			t.Errorf("%s: period %v threshold %v", tc.name, a.Period, a.Threshold)
		}
	}
	if a, err := tmpl.GetCloudWatchAlarmWithName("FunctionErrorsAlarm"); err == nil &&
		(a.Dimensions[0].Name != "FunctionName" || a.Dimensions[0].Value != "{{RotateFunction}}") {
		t.Errorf("errors alarm dimension %+v", a.Dimensions[0])
	}
	if a, err := tmpl.GetCloudWatchAlarmWithName("ExpiryAlarm"); err == nil && (a.Threshold == nil || *a.Threshold != 900) {
		t.Errorf("expiry threshold %v, want the ExpiryAlarmSeconds default 900", a.Threshold)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
