package credhelper_test

import (
	"os"
	"testing"

	kubeletconfig "k8s.io/kubelet/config/v1"
	"sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core/config"
)

// TestExamples: the documented files are what the programs and the
// kubelet read.
func TestExamples(t *testing.T) {
	for _, f := range []string{"../../examples/helper.yaml", "../../examples/kubelet-targets.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := config.ParseTargets(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile("../../examples/kubelet-credential-provider.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var kc kubeletconfig.CredentialProviderConfig
	if err := yaml.UnmarshalStrict(b, &kc); err != nil {
		t.Fatal(err)
	}
	if kc.Kind != "CredentialProviderConfig" || len(kc.Providers) != 1 {
		t.Fatalf("%+v", kc)
	}
	p := kc.Providers[0]
	if p.Name != "regmint-kubelet-credential-provider" || p.APIVersion != "credentialprovider.kubelet.k8s.io/v1" ||
		len(p.Args) != 1 || p.TokenAttributes == nil || p.TokenAttributes.RequireServiceAccount == nil {
		t.Errorf("provider %+v", p)
	}
}
