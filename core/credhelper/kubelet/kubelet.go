// Package kubelet is the kubelet credential provider plugin
// (credentialprovider.kubelet.k8s.io/v1) over the credential helper's
// targets and minting: regmint-kubelet-credential-provider's logic. It is
// a package of its own so that the docker credential helper does not link
// the Kubernetes API types.
package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubelet "k8s.io/kubelet/pkg/apis/credentialprovider/v1"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/credhelper"
)

// ProgramName is the kubelet credential provider's program name, as the
// kubelet's CredentialProviderConfig names it.
const ProgramName = "regmint-kubelet-credential-provider"

// The kubelet credential provider API this program speaks.
const (
	kubeletAPIVersion = "credentialprovider.kubelet.k8s.io/v1"
	kubeletRequest    = "CredentialProviderRequest"
	kubeletResponse   = "CredentialProviderResponse"
)

// maxKubeletRequest bounds the request read from stdin.
const maxKubeletRequest = 1 << 20

// Serve answers one kubelet credential provider request
// (credentialprovider.kubelet.k8s.io/v1): the CredentialProviderRequest on
// stdin, the CredentialProviderResponse on stdout, with cacheKeyType
// Registry and cacheDuration the credential's time left minus the target's
// refresh margin. Its one argument is the targets document's path. An
// image whose registry no target serves gets a response without auth, so
// that the kubelet pulls with what else it has. When the request carries
// the pod's service account token (tokenAttributes in the kubelet config),
// targets whose credentials are service-account exchange it for cloud
// credentials; no file cache is used then, as each pod's identity gets its
// own credential.
func Serve(ctx context.Context, p credhelper.Process) int {
	if len(p.Args) == 1 && (p.Args[0] == "-version" || p.Args[0] == "--version") {
		fmt.Fprintf(p.Stdout, "%s %s\n", ProgramName, p.Version)
		return 0
	}
	if len(p.Args) != 1 || p.Args[0] == "" || p.Args[0][0] == '-' {
		fmt.Fprintf(p.Stderr, "usage: %s TARGETS-FILE (the kubelet passes the request on stdin)\n", ProgramName)
		return 2
	}
	resp, err := kubeletAnswer(ctx, p)
	if err != nil {
		fmt.Fprintln(p.Stderr, ProgramName+": "+credhelper.ErrorLine(err, p.Getenv))
		return 1
	}
	if err := json.NewEncoder(p.Stdout).Encode(resp); err != nil {
		fmt.Fprintln(p.Stderr, ProgramName+": write response: "+err.Error())
		return 1
	}
	return 0
}

// kubeletAnswer reads the request and builds the response.
func kubeletAnswer(ctx context.Context, p credhelper.Process) (*kubelet.CredentialProviderResponse, error) {
	req, err := readKubeletRequest(p.Stdin)
	if err != nil {
		return nil, err
	}
	cfg, err := credhelper.LoadConfig(p.Args[0])
	if err != nil {
		return nil, err
	}
	h := credhelper.NewFor(p, cfg)
	h.Auth = kubeletAuth(req.ServiceAccountToken)
	if req.ServiceAccountToken != "" {
		// Each pod identity gets its own credential: none is shared
		// through the cache. (The kubelet keeps each answer for
		// cacheDuration itself; it often runs without HOME, and then
		// without the file cache too.)
		h.Cache = nil
	}
	resp := &kubelet.CredentialProviderResponse{
		TypeMeta:     metav1.TypeMeta{APIVersion: kubeletAPIVersion, Kind: kubeletResponse},
		CacheKeyType: kubelet.RegistryPluginCacheKeyType,
	}
	host, ok := credhelper.Host(req.Image)
	if !ok {
		return resp, nil
	}
	res, err := h.Get(ctx, host)
	if errors.Is(err, credhelper.ErrUnknownHost) {
		return resp, nil
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if h.Env.Now != nil {
		now = h.Env.Now()
	}
	resp.CacheDuration = &metav1.Duration{Duration: res.CacheFor(now).Truncate(time.Second)}
	resp.Auth = map[string]kubelet.AuthConfig{
		host: {Username: res.Credential.Username, Password: res.Credential.Password},
	}
	return resp, nil
}

// readKubeletRequest decodes the request strictly and checks its version
// and kind.
func readKubeletRequest(r io.Reader) (*kubelet.CredentialProviderRequest, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxKubeletRequest+1))
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	if len(b) > maxKubeletRequest {
		return nil, fmt.Errorf("the request on stdin is over %d KiB", maxKubeletRequest>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var req kubelet.CredentialProviderRequest
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("the request on stdin is not a %s: %w", kubeletRequest, jsonError(err))
	}
	switch {
	case req.APIVersion != kubeletAPIVersion:
		return nil, fmt.Errorf("the request's apiVersion is %q; accepted: %s (set apiVersion in the kubelet's CredentialProviderConfig)", req.APIVersion, kubeletAPIVersion)
	case req.Kind != kubeletRequest:
		return nil, fmt.Errorf("the request's kind is %q; accepted: %s", req.Kind, kubeletRequest)
	case req.Image == "":
		return nil, errors.New("the request names no image")
	}
	return &req, nil
}

// jsonError describes a decoding error without the document's values
// (the request holds a service account token).
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %s must be a %s", typ.Field, typ.Type)
	}
	return err
}

// kubeletAuth returns the cloud auth of a target for a request carrying
// token (the pod's service account token, or ""): keyless login with the
// token for service-account targets, the vendor's environment otherwise.
func kubeletAuth(token string) func(config.TargetConfig) (core.Auth, error) {
	return func(tc config.TargetConfig) (core.Auth, error) {
		sa := tc.Credentials.ServiceAccount
		if sa == nil {
			return core.Auth{Chain: tc.Credentials.Chain}, nil
		}
		if token == "" {
			return core.Auth{}, errors.New("credentials.service-account needs the pod's service account token, and the kubelet sent none: set tokenAttributes for this provider in the kubelet's CredentialProviderConfig (Kubernetes 1.33 or later)")
		}
		return core.Auth{RoleARN: sa.RoleARN, OIDCProviderID: sa.OIDCProviderID, IdPID: sa.IdPID,
			WebIdentityToken: token, SessionName: "regmint-kubelet"}, nil
	}
}
