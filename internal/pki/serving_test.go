package pki

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"testing"
	"time"
)

func loadLeaf(t *testing.T, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return pair.Leaf
}

func TestEnsureServingCert(t *testing.T) {
	caDir, dir := t.TempDir(), t.TempDir()
	ca, err := EnsureCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	svcIP := net.ParseIP("10.43.0.1")
	certFile, keyFile, err := ca.EnsureServingCert(dir, []string{"node1.example", "192.168.1.5"}, []net.IP{svcIP})
	if err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, keyFile); m != 0o600 {
		t.Fatalf("serving key mode %v, want 0600", m)
	}
	leaf := loadLeaf(t, certFile, keyFile)
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || leaf.IsCA {
		t.Fatalf("ExtKeyUsage %v IsCA %v, want a ServerAuth leaf", leaf.ExtKeyUsage, leaf.IsCA)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	// Every name and address a client may dial verifies through the CA.
	for _, name := range []string{
		"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local", "node1.example",
		"127.0.0.1", "::1", "10.43.0.1", "192.168.1.5",
	} {
		_, err := leaf.Verify(x509.VerifyOptions{
			DNSName:   name,
			Roots:     roots,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			t.Errorf("verify for %q: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "evil.example", Roots: roots}); err == nil {
		t.Error("certificate verifies for a name it was not issued for")
	}

	// Same or fewer SANs: the certificate is kept.
	if _, _, err := ca.EnsureServingCert(dir, []string{"node1.example"}, []net.IP{svcIP}); err != nil {
		t.Fatal(err)
	}
	if kept := loadLeaf(t, certFile, keyFile); kept.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatal("certificate reissued although it had every SAN")
	}

	// A new SAN: reissued, with it.
	if _, _, err := ca.EnsureServingCert(dir, []string{"node1.example", "berth.lan"}, []net.IP{svcIP}); err != nil {
		t.Fatal(err)
	}
	re := loadLeaf(t, certFile, keyFile)
	if re.SerialNumber.Cmp(leaf.SerialNumber) == 0 || !slices.Contains(re.DNSNames, "berth.lan") {
		t.Fatalf("certificate not reissued with the new SAN: %v", re.DNSNames)
	}

	// Another CA: the certificate of the old one is replaced.
	ca2, err := EnsureCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ca2.EnsureServingCert(dir, nil, nil); err != nil {
		t.Fatal(err)
	}
	roots2 := x509.NewCertPool()
	roots2.AddCert(ca2.Cert)
	if _, err := loadLeaf(t, certFile, keyFile).Verify(x509.VerifyOptions{Roots: roots2, DNSName: "localhost"}); err != nil {
		t.Fatalf("certificate not reissued by the new CA: %v", err)
	}
}

func TestServingSANs(t *testing.T) {
	names, ips := servingSANs([]string{"", "node1", "localhost", "10.0.0.5", "node1"}, []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("10.43.0.1")})
	wantNames := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "node1"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("names = %v, want %v", names, wantNames)
	}
	var got []string
	for _, ip := range ips {
		got = append(got, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "10.0.0.5", "10.43.0.1"}; !slices.Equal(got, want) {
		t.Errorf("ips = %v, want %v", got, want)
	}
}

func TestServingCertProblem(t *testing.T) {
	now := time.Now()
	ca, _, err := newCA(now)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := newCA(now)
	if err != nil {
		t.Fatal(err)
	}
	names, ips := servingSANs([]string{"node1"}, []net.IP{net.ParseIP("10.43.0.1")})
	certPEM, _, err := ca.issueServing(names, ips, now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := decodeCert(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	moreNames, _ := servingSANs([]string{"node1", "node2"}, nil)
	tests := []struct {
		name   string
		ca     *x509.Certificate
		names  []string
		ips    []net.IP
		at     time.Time
		wantOK bool
	}{
		{"fits", ca.Cert, names, ips, now, true},
		{"fewer SANs still fit", ca.Cert, names[:2], nil, now, true},
		{"missing name", ca.Cert, moreNames, ips, now, false},
		{"missing IP", ca.Cert, names, append(slices.Clone(ips), net.ParseIP("10.0.0.9")), now, false},
		{"other CA", other.Cert, names, ips, now, false},
		{"within 90 days of expiry", ca.Cert, names, ips, now.Add(300 * 24 * time.Hour), false},
		{"expired", ca.Cert, names, ips, now.Add(400 * 24 * time.Hour), false},
	}
	for _, tt := range tests {
		problem := servingCertProblem(cert, tt.ca, tt.names, tt.ips, tt.at)
		if (problem == "") != tt.wantOK {
			t.Errorf("%s: problem = %q, want ok=%v", tt.name, problem, tt.wantOK)
		}
	}
}
