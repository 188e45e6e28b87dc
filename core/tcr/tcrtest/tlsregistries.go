package tcrtest

import "github.com/regmint/regmint/core/registrytest"

// WithTLSRegistries serves the registry of every instance added later over
// TLS (registrytest.WithTLS), as TCR serves its instances, rather than
// plain HTTP. Their certificate is httptest's, the one STSCertificate
// returns: a child process given it in SSL_CERT_FILE trusts STS and the
// registries alike.
func WithTLSRegistries() Option {
	return func(s *Server) { s.registryOpts = append(s.registryOpts, registrytest.WithTLS()) }
}
