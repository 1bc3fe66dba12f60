package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

func TestNodeCertificate(t *testing.T) {
	ca, err := EnsureCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	csr, key, err := NodeCSR("n1")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.SignNodeCSR(csr, "n1", now)
	if err != nil {
		t.Fatal(err)
	}
	if !NodeCertUsable(cert, key, ca.CertPEM(), "n1", now) {
		t.Fatal("fresh node certificate not usable")
	}
	if NodeCertUsable(cert, key, ca.CertPEM(), "n2", now) {
		t.Fatal("n1's certificate usable as n2")
	}
	if NodeCertUsable(cert, key, ca.CertPEM(), "n1", now.Add(300*24*time.Hour)) {
		t.Fatal("certificate close to expiry still usable")
	}
	other, _ := EnsureCA(t.TempDir())
	if NodeCertUsable(cert, key, other.CertPEM(), "n1", now) {
		t.Fatal("certificate usable under another CA")
	}
	b, _ := pem.Decode(cert)
	c, _ := x509.ParseCertificate(b.Bytes)
	if c.Subject.CommonName != "system:node:n1" || c.Subject.Organization[0] != "system:nodes" || c.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Fatalf("subject %v usage %v", c.Subject, c.ExtKeyUsage)
	}

	// a request for another node's identity, or for more groups, is refused
	if _, err := ca.SignNodeCSR(csr, "n2", now); err == nil || !strings.Contains(err.Error(), "common name") {
		t.Fatalf("signing n1's request as n2: %v", err)
	}
	k, _ := newKey()
	der, _ := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes", "system:masters"}}}, k)
	if _, err := ca.SignNodeCSR(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), "n1", now); err == nil {
		t.Fatal("signed a request with system:masters")
	}
	der, _ = x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes"}}, DNSNames: []string{"x"}}, k)
	if _, err := ca.SignNodeCSR(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), "n1", now); err == nil {
		t.Fatal("signed a request with SANs")
	}
	if _, err := ca.SignNodeCSR([]byte("junk"), "n1", now); err == nil {
		t.Fatal("signed junk")
	}
}
