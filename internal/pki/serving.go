package pki

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	servingCertFile = "apiserver.crt"
	servingKeyFile  = "apiserver.key"
	servingName     = "berth-apiserver"
	// One year, renewed at start-up once less than renewBefore is left, as
	// k3s does for its leaf certificates.
	servingValidity = 365 * 24 * time.Hour
	renewBefore     = 90 * 24 * time.Hour
)

// apiServerNames are the names every client may use for the API server:
// localhost on the host, and the DNS names of the default/kubernetes Service
// inside the cluster.
var apiServerNames = []string{
	"localhost",
	"kubernetes",
	"kubernetes.default",
	"kubernetes.default.svc",
	"kubernetes.default.svc.cluster.local",
}

// servingSANs returns the DNS names and IP addresses the serving certificate
// must carry: the fixed names, the loopback addresses, and the caller's hosts
// (entries of hosts that are IP literals count as IPs) and ips — these
// include the node's addresses and the kubernetes Service ClusterIP.
func servingSANs(hosts []string, ips []net.IP) ([]string, []net.IP) {
	names := slices.Clone(apiServerNames)
	addrs := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, h := range hosts {
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			addrs = append(addrs, ip)
		} else if !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	addrs = append(addrs, ips...)
	var uniq []net.IP
	for _, ip := range addrs {
		if ip != nil && !slices.ContainsFunc(uniq, ip.Equal) {
			uniq = append(uniq, ip)
		}
	}
	return names, uniq
}

// missingSANs lists the wanted names and addresses cert does not carry.
func missingSANs(cert *x509.Certificate, names []string, ips []net.IP) []string {
	var missing []string
	for _, n := range names {
		if !slices.Contains(cert.DNSNames, n) {
			missing = append(missing, n)
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(cert.IPAddresses, ip.Equal) {
			missing = append(missing, ip.String())
		}
	}
	return missing
}

// servingCertProblem says why the existing serving certificate cannot be
// kept ("" if it can): not issued by ca for server use, missing a SAN, or
// close to expiry.
func servingCertProblem(cert *x509.Certificate, ca *x509.Certificate, names []string, ips []net.IP, now time.Time) string {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return "not valid under the cluster CA: " + err.Error()
	}
	if m := missingSANs(cert, names, ips); len(m) > 0 {
		return fmt.Sprintf("missing SANs %v", m)
	}
	if cert.NotAfter.Sub(now) < renewBefore {
		return "expires on " + cert.NotAfter.Format(time.RFC3339)
	}
	return ""
}

// EnsureServingCert returns the API server's serving certificate and key
// files in dir (apiserver.crt, apiserver.key), issuing a new pair signed by
// ca when there is none, when the existing one lacks a needed name or
// address, is not the CA's, or expires within 90 days. hosts and ips are
// added to the fixed names (see apiServerNames) and 127.0.0.1/::1; pass the
// node's addresses and the kubernetes Service ClusterIP.
func (ca *CA) EnsureServingCert(dir string, hosts []string, ips []net.IP) (certFile, keyFile string, err error) {
	certFile, keyFile = filepath.Join(dir, servingCertFile), filepath.Join(dir, servingKeyFile)
	names, addrs := servingSANs(hosts, ips)
	now := time.Now()

	reason := "none yet"
	if pair, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		leaf := pair.Leaf
		if leaf == nil { // only with GODEBUG=x509keypairleaf=0
			if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
				return "", "", err
			}
		}
		reason = servingCertProblem(leaf, ca.Cert, names, addrs, now)
		if reason == "" {
			return certFile, keyFile, nil
		}
	} else if ok, _ := exists(certFile); ok {
		reason = err.Error()
	}

	certPEM, keyPEM, err := ca.issueServing(names, addrs, now)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	// Key first: a crash in between leaves a mismatched pair, which
	// LoadX509KeyPair rejects next time, so it is simply reissued.
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return "", "", err
	}
	slog.Info("issued API server serving certificate", "file", certFile, "reason", reason, "dnsNames", names, "ips", addrs)
	return certFile, keyFile, nil
}

// issueServing creates a new key and a server-auth certificate for it.
func (ca *CA) issueServing(names []string, ips []net.IP, now time.Time) (certPEM, keyPEM []byte, err error) {
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
		Subject:               pkix.Name{CommonName: servingName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(servingValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter // a leaf cannot outlive its CA
	}
	der, err := x509.CreateCertificate(nil, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodeCert(der), keyPEM, nil
}
