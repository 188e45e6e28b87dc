package registrytest

import "crypto/x509"

// WithTLS serves the registry (and its token realm) over TLS, as real
// registries are served, with net/http/httptest's certificate for
// 127.0.0.1 (the same for every httptest TLS listener): clients trust it
// through Certificate, or a child process through SSL_CERT_FILE.
func WithTLS() Option { return func(s *Server) { s.tls = true } }

// Certificate returns the certificate the registry serves with WithTLS,
// or nil without it.
func (s *Server) Certificate() *x509.Certificate {
	if !s.tls {
		return nil
	}
	return s.srv.Certificate()
}
