package rotation_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/kubernetes"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
)

// The soak's cluster: an emulated API server that the kubernetes store
// reaches through client-go, as regmint-rotate does in a CronJob. The
// temporary-token targets tcr-temp and swr-temp write their registries to
// one grouped pull secret in every namespace labelled soakKubeLabel; faults
// are 409 conflicts on writes, a namespace the service account may not
// touch (403) for one run, and a namespace appearing in the middle of a
// run.

const (
	soakKubeSecret   = "pull"
	soakKubeLabel    = "regmint.io/pull"
	soakKubeSelector = soakKubeLabel + "=true"
	// soakKubeMaxLate bounds the namespaces that appear, to keep runs fast.
	soakKubeMaxLate = 4

	faultKubeConflict = "kubernetes 409 conflicts"
	faultKubeDenied   = "kubernetes 403 on a namespace"
	faultKubeAppears  = "kubernetes namespace appears mid-run"
)

// soakKubeDest is the destination of the kubernetes targets in the soak's
// config.
const soakKubeDest = `{store: kubernetes, secret-name: ` + soakKubeSecret + `, namespace-selector: "` + soakKubeSelector + `"}`

// soakKube is the cluster and this run's faults.
type soakKube struct {
	api *kubetest.Server

	mu        sync.Mutex
	conflicts int             // updates still to answer 409
	denied    map[string]bool // namespaces answering 403 this run
	appear    bool            // add a namespace at the next secret write
	appeared  map[string]bool // namespaces added during this run
	late      int             // namespaces added so far
}

func newSoakKube(t *testing.T) *soakKube {
	t.Helper()
	k := &soakKube{api: kubetest.New(t), denied: map[string]bool{}, appeared: map[string]bool{}}
	for _, ns := range []string{"apps", "web"} {
		k.api.AddNamespace(ns, map[string]string{soakKubeLabel: "true"})
	}
	k.api.AddNamespace("unlabelled", nil)
	k.api.Inject(k.fault)
	k.api.OnWrite(k.onWrite)
	return k
}

// option opens the kubernetes stores per run, as core/stores does.
func (k *soakKube) option(t *testing.T, cfg *config.Config, log *slog.Logger) rotation.Option {
	t.Helper()
	// No client-side pacing (20 requests a second by default): the soak's
	// simulated hours pass in milliseconds.
	c, err := kubernetes.NewClient(&rest.Config{Host: k.api.URL, QPS: 1e6, Burst: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	o := &kubernetes.Opener{Config: cfg, Client: c, Logger: log}
	return rotation.WithStores(kubernetes.KindName, func() rotation.DestinationStores { return o.Run() })
}

// fault answers the injected faults (under the emulator's lock).
func (k *soakKube) fault(r kubetest.Request) *kubetest.Fault {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r.Resource == "secrets" && k.denied[r.Namespace] {
		return &kubetest.Fault{Code: 403, Reason: "Forbidden", Message: fmt.Sprintf(`secrets %q is forbidden: User "system:serviceaccount:regmint:regmint" cannot %s resource "secrets" in API group "" in the namespace %q`, r.Name, r.Verb, r.Namespace)}
	}
	if r.Verb == "update" && r.Resource == "secrets" && k.conflicts > 0 {
		k.conflicts--
		return &kubetest.Fault{Code: 409, Reason: "Conflict", Message: fmt.Sprintf(`Operation cannot be fulfilled on secrets %q: the object has been modified; please apply your changes to the latest version and try again`, r.Name)}
	}
	return nil
}

// onWrite adds a namespace in the middle of a run when asked to: after
// the run's first secret write, so that the run's other reads of the
// selector may or may not see it.
func (k *soakKube) onWrite(r kubetest.Request) {
	k.mu.Lock()
	if !k.appear || r.Resource != "secrets" {
		k.mu.Unlock()
		return
	}
	k.appear = false
	k.late++
	ns := fmt.Sprintf("late-%d", k.late)
	k.appeared[ns] = true
	k.mu.Unlock()
	k.api.AddNamespace(ns, map[string]string{soakKubeLabel: "true"})
}

// inject applies a kubernetes fault; "" when it does not apply.
func (k *soakKube) inject(kind string, n int, pick func(int) int) string {
	// Read the emulator before taking k.mu: its fault hook takes k.mu
	// under the emulator's lock.
	nss := k.api.Names(kubetest.Namespaces, "")
	k.mu.Lock()
	defer k.mu.Unlock()
	switch kind {
	case faultKubeConflict:
		k.conflicts += n
		return fmt.Sprintf("%s x%d", kind, n)
	case faultKubeDenied:
		ns := nss[pick(len(nss))]
		k.denied[ns] = true
		return fmt.Sprintf("%s (%s)", kind, ns)
	case faultKubeAppears:
		if k.late >= soakKubeMaxLate || k.appear {
			return ""
		}
		k.appear = true
		return kind
	}
	return ""
}

// clear ends the run's faults; it returns the namespaces that were denied
// and those that appeared during the run.
func (k *soakKube) clear() (denied, appeared map[string]bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	denied, appeared = k.denied, k.appeared
	k.conflicts, k.appear = 0, false
	k.denied, k.appeared = map[string]bool{}, map[string]bool{}
	return denied, appeared
}

// namespaces are the pod-visible namespaces: those the selector matches.
func (k *soakKube) namespaces() []string {
	var out []string
	for _, ns := range k.api.Names(kubetest.Namespaces, "") {
		md, _ := k.api.Get(kubetest.Namespaces, "", ns)["metadata"].(map[string]any)
		if lbls, _ := md["labels"].(map[string]any); lbls[soakKubeLabel] == "true" {
			out = append(out, ns)
		}
	}
	return out
}

// holds reads the login for host that the pull secret in ns holds, as a
// kubelet would: the .dockerconfigjson auths entry.
func (k *soakKube) holds(ns, host string) held {
	data := k.api.SecretData(ns, soakKubeSecret)
	if data == nil {
		return held{}
	}
	var doc struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if json.Unmarshal(data[".dockerconfigjson"], &doc) != nil {
		return held{}
	}
	a, ok := doc.Auths[host]
	if !ok {
		return held{}
	}
	return held{present: true, cred: core.Credential{Registry: host, Username: a.Username, Password: a.Password}, version: a.Password}
}

// kubeKey is the held-map key of a target's part in a namespace.
func kubeKey(tg *soakTarget, ns string) string { return tg.name + " kubernetes/" + ns }

// heldKube adds what every pod-visible pull secret holds for the
// kubernetes targets.
func (w *soakWorld) heldKube(out map[string]held) {
	for _, ns := range w.kube.namespaces() {
		for _, tg := range w.targets {
			if tg.kube {
				out[kubeKey(tg, ns)] = w.kube.holds(ns, tg.registry.Host)
			}
		}
	}
}

// checkKube is the soak's invariant 1 for a target's pull secrets: each
// pod-visible one holds a login the registry accepts, or the one it held
// before the run when the run failed for the target, the namespace was
// denied (403) or a revoked login could not be checked. A namespace
// without the target's part is one that appeared during the run, was
// denied, or lacks it because the run failed.
func (w *soakWorld) checkKube(tg *soakTarget, res rotation.Result, before, after map[string]held, verdicts map[string]core.Verification, denied, appeared map[string]bool) {
	if !tg.kube {
		return
	}
	w.mu.Lock()
	pending := w.pending[tg.name]
	w.mu.Unlock()
	failed := res.Outcome == rotation.Failed
	var nss []string
	for key := range after {
		if ns, ok := strings.CutPrefix(key, tg.name+" kubernetes/"); ok {
			nss = append(nss, ns)
		}
	}
	slices.Sort(nss)
	for _, ns := range nss {
		h, b := after[kubeKey(tg, ns)], before[kubeKey(tg, ns)]
		kept := h.present == b.present && h.version == b.version
		switch {
		case !h.present && b.present:
			w.violate(1, "%s: the pull secret in %s lost its login (run reported %s: %s)", tg.name, ns, res.Outcome, res.Reason)
		case !h.present:
			if !failed && !denied[ns] && !appeared[ns] {
				w.violate(1, "%s: the pull secret in %s (a namespace the selector matches) holds no login after a run reported %s (%s)", tg.name, ns, res.Outcome, res.Reason)
			}
		case verdicts[kubeKey(tg, ns)].Result == core.VerifyGood:
		case kept && (failed || denied[ns]):
			// Reported (or logged), and the previous login kept.
		case kept && pending && res.StoredCheck != nil && res.StoredCheck.Result == core.VerifyUnknown:
		default:
			w.violate(1, "%s: the pull secret in %s holds a login its registry refuses (%s); the run reported %s (%s), login kept %v, namespace denied %v",
				tg.name, ns, verdicts[kubeKey(tg, ns)], res.Outcome, res.Reason, kept, denied[ns])
		}
	}
}
