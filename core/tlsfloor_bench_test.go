package core_test

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkTLSHandshake is one TLS handshake to a registry, the floor of
// every login to a distinct registry host: a loopback dial and a full
// handshake with Go's default settings (TLS 1.3, X25519MLKEM768, the
// server certificate verified), client and server both in this process.
func BenchmarkTLSHandshake(b *testing.B) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	b.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	b.ReportAllocs()
	for b.Loop() {
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c := tls.Client(raw, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
		if err := c.Handshake(); err != nil {
			b.Fatal(err)
		}
		if got := c.ConnectionState().CurveID; got != tls.X25519MLKEM768 {
			b.Fatalf("key exchange %v, want X25519MLKEM768", got)
		}
		c.Close()
	}
}

// BenchmarkTLSClientKeyExchange is the client's share of the handshake's
// key exchange alone: an X25519 and an ML-KEM-768 key pair for the
// ClientHello, then the X25519 shared secret and the ML-KEM decapsulation
// of the server's share.
func BenchmarkTLSClientKeyExchange(b *testing.B) {
	peer, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		x, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			b.Fatal(err)
		}
		_, ct := dk.EncapsulationKey().Encapsulate() // the server's part, a fixed cost
		if _, err := x.ECDH(peer.PublicKey()); err != nil {
			b.Fatal(err)
		}
		if _, err := dk.Decapsulate(ct); err != nil {
			b.Fatal(err)
		}
	}
}
