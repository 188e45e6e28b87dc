package swr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// recordingProxy is a loopback HTTP proxy that records the hosts it is asked
// for and sends everything to 127.0.0.1 at the requested port: the names
// the clients use are never resolved, and no traffic leaves the machine.
type recordingProxy struct {
	*httptest.Server
	mu    sync.Mutex
	hosts []string
}

func newRecordingProxy(t *testing.T) *recordingProxy {
	p := &recordingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *recordingProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}

func loopback(hostport string) string {
	_, port, _ := net.SplitHostPort(hostport)
	return net.JoinHostPort("127.0.0.1", port)
}

func (p *recordingProxy) serve(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if r.Method != http.MethodConnect {
		host = r.URL.Host
	}
	p.mu.Lock()
	p.hosts = append(p.hosts, r.Method+" "+host)
	p.mu.Unlock()
	if r.Method == http.MethodConnect {
		dst, err := net.Dial("tcp", loopback(host))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			dst.Close()
			return
		}
		conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { io.Copy(dst, conn); dst.Close() }()
		io.Copy(conn, dst)
		conn.Close()
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Host = loopback(host)
	resp, err := (&http.Transport{}).RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// swapHost replaces the host of an endpoint URL, keeping the port.
func swapHost(endpoint, host string) string {
	u, _ := url.Parse(endpoint)
	u.Host = net.JoinHostPort(host, u.Port())
	return u.String()
}

// An explicit transport carries every SWR and IAM call (here through a
// proxy).
func TestTransportCarriesEveryCall(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	in := srv.NewInstance(acct, "cn-north-4")
	proxy := newRecordingProxy(t)
	pu, _ := url.Parse(proxy.URL)
	tg := core.Target{
		Provider: EnterpriseName, Region: "cn-north-4", InstanceID: in.ID,
		APIEndpoint: swapHost(srv.SWRURL, "swr-api.emulator.test"),
		IAMEndpoint: swapHost(srv.IAMURL, "iam.emulator.test"),
		Auth:        core.Auth{IAMUser: acct.UserName, IAMPassword: acct.Password, IAMDomain: acct.DomainName},
		// The emulator speaks plain http; to a name, that needs the switch.
		InsecureEndpoints: true,
	}
	iss, err := New(tg, core.Env{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := proxy.seen()
	for _, want := range []string{
		"POST iam.emulator.test:" + portOf(srv.IAMURL),
		"GET swr-api.emulator.test:" + portOf(srv.SWRURL),
		"POST swr-api.emulator.test:" + portOf(srv.SWRURL),
	} {
		if !slices.Contains(seen, want) {
			t.Errorf("the proxy saw %q, not %q", seen, want)
		}
	}
}

func portOf(endpoint string) string {
	u, _ := url.Parse(endpoint)
	return u.Port()
}

// The default transport honours HTTPS_PROXY and NO_PROXY. The environment
// is read once per process by net/http, so each case runs this test binary
// again with its own environment (TestProxyEnvChild), against an https
// emulator whose certificate names *.example.com.
func TestDefaultTransportHonoursProxyEnvironment(t *testing.T) {
	t.Parallel()
	srv := swrtest.NewTLS()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	in := srv.NewInstance(acct, "cn-north-4")
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	swrHost, iamHost := "swr.example.com:"+portOf(srv.SWRURL), "iam.example.com:"+portOf(srv.IAMURL)

	for _, tc := range []struct {
		name    string
		noProxy string
		want    []string
	}{
		{"proxied", "", []string{"CONNECT " + iamHost, "CONNECT " + swrHost}},
		{"no_proxy", "iam.example.com,.example.com", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proxy := newRecordingProxy(t)
			cmd := exec.Command(os.Args[0], "-test.run=^TestProxyEnvChild$", "-test.count=1")
			var env []string
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); !strings.HasSuffix(strings.ToUpper(k), "_PROXY") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(env,
				"SWRTEST_PROXY_CHILD=1",
				"HTTPS_PROXY="+proxy.URL, "HTTP_PROXY="+proxy.URL, "NO_PROXY="+tc.noProxy,
				"SWRTEST_CA="+ca,
				"SWRTEST_SWR=https://"+swrHost, "SWRTEST_IAM=https://"+iamHost,
				"SWRTEST_INSTANCE="+in.ID,
				"SWRTEST_USER="+acct.UserName, "SWRTEST_PASSWORD="+acct.Password, "SWRTEST_DOMAIN="+acct.DomainName,
			)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "child issued") {
				t.Fatalf("child: %v\n%s", err, out)
			}
			seen := proxy.seen()
			slices.Sort(seen)
			seen = slices.Compact(seen)
			if fmt.Sprint(seen) != fmt.Sprint(tc.want) {
				t.Errorf("the proxy saw %q, want %q", seen, tc.want)
			}
		})
	}
}

// TestProxyEnvChild is the child of TestDefaultTransportHonoursProxyEnvironment.
// It uses DefaultTransport as issuers do, adding only trust in the
// emulator's certificate and a dialer that sends *.example.com to loopback
// (used when NO_PROXY makes the connection direct).
func TestProxyEnvChild(t *testing.T) {
	if os.Getenv("SWRTEST_PROXY_CHILD") != "1" {
		t.Skip("run by TestDefaultTransportHonoursProxyEnvironment")
	}
	pemBytes, err := os.ReadFile(os.Getenv("SWRTEST_CA"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	tr := core.DefaultTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, _ := net.SplitHostPort(addr); strings.HasSuffix(host, ".example.com") {
			addr = loopback(addr)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	tg := core.Target{
		Provider: EnterpriseName, Region: "cn-north-4", InstanceID: os.Getenv("SWRTEST_INSTANCE"),
		Registry:    "registry.example.test",
		APIEndpoint: os.Getenv("SWRTEST_SWR"), IAMEndpoint: os.Getenv("SWRTEST_IAM"),
		Auth: core.Auth{IAMUser: os.Getenv("SWRTEST_USER"), IAMPassword: os.Getenv("SWRTEST_PASSWORD"), IAMDomain: os.Getenv("SWRTEST_DOMAIN")},
	}
	iss, err := New(tg, core.Env{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := iss.Issue(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Println("child issued")
}
