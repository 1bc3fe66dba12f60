package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

const (
	caCertFile = "ca.crt"
	caKeyFile  = "ca.key"
	caName     = "berth-ca"
	caValidity = 10 * 365 * 24 * time.Hour
	// backdate covers clocks of other nodes that run a little behind.
	backdate = 5 * time.Minute
)

// CA is the cluster certificate authority: it signs the serving certificate
// and is what kubeconfigs and joining nodes trust.
type CA struct {
	Cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
}

// CertPEM is the CA certificate in PEM form, as put into kubeconfigs and
// hashed into join tokens. The caller gets its own copy.
func (ca *CA) CertPEM() []byte { return append([]byte(nil), ca.certPEM...) }

// EnsureCA loads the CA from dir (ca.crt, ca.key), or creates a self-signed
// ECDSA P-256 CA valid for 10 years if neither file exists. Only one of the
// two existing, a key not matching the certificate, or an expired CA is an
// error: replacing a CA silently would break every trust built on it.
func EnsureCA(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	haveCert, err := exists(certPath)
	if err != nil {
		return nil, err
	}
	haveKey, err := exists(keyPath)
	if err != nil {
		return nil, err
	}
	switch {
	case haveCert && haveKey:
		return loadCA(certPath, keyPath)
	case haveCert || haveKey:
		return nil, fmt.Errorf("incomplete CA in %s: need both %s and %s (remove the other to create a new CA)", dir, caCertFile, caKeyFile)
	}
	ca, keyPEM, err := newCA(time.Now())
	if err != nil {
		return nil, err
	}
	// Key first: a crash in between leaves "key without cert", an error the
	// operator sees, never a certificate whose key is lost.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(certPath, ca.certPEM, 0o644); err != nil {
		return nil, err
	}
	slog.Info("created cluster CA", "dir", dir, "notAfter", ca.Cert.NotAfter.Format(time.RFC3339))
	return ca, nil
}

func newCA(now time.Time) (*CA, []byte, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: caName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return &CA{Cert: cert, key: key, certPEM: encodeCert(der)}, keyPEM, nil
}

func loadCA(certPath, keyPath string) (*CA, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cert, err := decodeCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	key, err := decodeKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	if err := checkCA(cert, key, time.Now()); err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	return &CA{Cert: cert, key: key, certPEM: certPEM}, nil
}

// checkCA refuses a certificate that cannot act as this cluster's CA.
func checkCA(cert *x509.Certificate, key crypto.Signer, now time.Time) error {
	if !cert.IsCA {
		return fmt.Errorf("certificate %q is not a CA", cert.Subject.CommonName)
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return fmt.Errorf("CA key does not match the CA certificate")
	}
	if now.After(cert.NotAfter) {
		return fmt.Errorf("CA certificate expired on %s", cert.NotAfter.Format(time.RFC3339))
	}
	return nil
}

// publicKeysEqual compares two public keys of the standard library types.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	ka, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ka.Equal(b)
}
