package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestEnsureCACreatesAndReloads(t *testing.T) {
	dir := t.TempDir()
	ca, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Cert
	if c.Subject.CommonName != "berth-ca" || !c.IsCA || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Fatalf("not a berth CA: CN=%q IsCA=%v usage=%v", c.Subject.CommonName, c.IsCA, c.KeyUsage)
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if life := c.NotAfter.Sub(time.Now()); life < 3649*24*time.Hour || life > 3651*24*time.Hour {
		t.Fatalf("CA valid for %v, want 10 years", life)
	}
	// Self-signed: it verifies against itself.
	roots := x509.NewCertPool()
	roots.AddCert(c)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots}); err != nil {
		t.Fatalf("CA does not verify against itself: %v", err)
	}
	if m := fileMode(t, filepath.Join(dir, "ca.key")); m != 0o600 {
		t.Fatalf("ca.key mode %v, want 0600", m)
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if string(onDisk) != string(ca.CertPEM()) {
		t.Fatal("CertPEM differs from ca.crt")
	}

	again, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Cert.SerialNumber.Cmp(c.SerialNumber) != 0 || string(again.CertPEM()) != string(ca.CertPEM()) {
		t.Fatal("reloading created a different CA")
	}
}

func TestEnsureCARefusesBrokenState(t *testing.T) {
	t.Run("key missing", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := EnsureCA(dir); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, "ca.key"))
		if _, err := EnsureCA(dir); err == nil {
			t.Fatal("a CA certificate without key was accepted")
		}
	})
	t.Run("key of another CA", func(t *testing.T) {
		a, b := t.TempDir(), t.TempDir()
		for _, d := range []string{a, b} {
			if _, err := EnsureCA(d); err != nil {
				t.Fatal(err)
			}
		}
		other, _ := os.ReadFile(filepath.Join(b, "ca.key"))
		if err := os.WriteFile(filepath.Join(a, "ca.key"), other, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureCA(a); err == nil {
			t.Fatal("mismatched CA key was accepted")
		}
	})
}

func TestCheckCA(t *testing.T) {
	now := time.Now()
	ca, _, err := newCA(now)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := newCA(now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ca      *CA
		keyOf   *CA
		at      time.Time
		wantErr bool
	}{
		{"valid", ca, ca, now, false},
		{"wrong key", ca, other, now, true},
		{"expired", ca, ca, now.Add(11 * 365 * 24 * time.Hour), true},
	}
	for _, tt := range tests {
		err := checkCA(tt.ca.Cert, tt.keyOf.key, tt.at)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.name, err, tt.wantErr)
		}
	}
}
