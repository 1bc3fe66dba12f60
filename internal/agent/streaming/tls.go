package streaming

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// servingCertificate loads the configured certificate, or makes a
// self-signed one for the configured names (the host name and, for a
// specific listen address, its IP, when none are given).
func servingCertificate(c Config) (tls.Certificate, error) {
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return cert, fmt.Errorf("streaming: loading serving certificate: %w", err)
		}
		return cert, nil
	}
	hosts, ips := c.Hostnames, c.IPs
	if len(hosts) == 0 && len(ips) == 0 {
		if hn, err := os.Hostname(); err == nil {
			hosts = append(hosts, hn)
		}
		if host, _, err := net.SplitHostPort(c.Address); err == nil {
			if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
				ips = append(ips, ip)
			}
		}
	}
	return selfSignedCertificate(hosts, ips, time.Now())
}

// selfSignedCertificate makes an ECDSA P-256 serving certificate valid for a
// year from now, signed by its own key.
func selfSignedCertificate(hosts []string, ips []net.IP, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	cn := "berth-agent"
	if len(hosts) > 0 {
		cn = hosts[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: fmt.Sprintf("%s@%d", cn, now.Unix())},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              hosts,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
