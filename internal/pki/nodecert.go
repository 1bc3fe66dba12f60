package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Node identities, as Kubernetes' node authorizer knows them: a node's
// client certificate has the common name system:node:<name> and the
// organisation system:nodes.
const (
	NodeUserPrefix = "system:node:"
	NodesGroup     = "system:nodes"
	// nodeCertValidity: a year, like the serving certificate; the agent asks
	// for a new one at start-up when less than renewBefore is left.
	nodeCertValidity = 365 * 24 * time.Hour
)

// NodeCSR makes a key and a certificate request for node's identity; the
// key never leaves the node.
func NodeCSR(node string) (csrPEM, keyPEM []byte, err error) {
	if node == "" {
		return nil, nil, errors.New("empty node name")
	}
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: NodeUserPrefix + node, Organization: []string{NodesGroup}},
	}, key)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), keyPEM, nil
}

// SignNodeCSR checks that a certificate request asks for exactly node's
// identity (and nothing else: no SANs, no other groups) and signs a
// client-auth certificate for it.
func (ca *CA) SignNodeCSR(csrPEM []byte, node string, now time.Time) ([]byte, error) {
	block, err := firstPEM(csrPEM, "CERTIFICATE REQUEST")
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature: %w", err)
	}
	if err := CheckNodeSubject(csr.Subject, node); err != nil {
		return nil, err
	}
	if len(csr.DNSNames)+len(csr.IPAddresses)+len(csr.EmailAddresses)+len(csr.URIs) > 0 {
		return nil, errors.New("a node client certificate request must carry no subject alternative names")
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: NodeUserPrefix + node, Organization: []string{NodesGroup}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(nodeCertValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	der, err := x509.CreateCertificate(nil, tmpl, ca.Cert, csr.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	return encodeCert(der), nil
}

// CheckNodeSubject accepts exactly CN=system:node:<node>, O=system:nodes.
func CheckNodeSubject(subject pkix.Name, node string) error {
	if node == "" || strings.ContainsAny(node, "/:") {
		return fmt.Errorf("invalid node name %q", node)
	}
	if subject.CommonName != NodeUserPrefix+node {
		return fmt.Errorf("common name %q, want %q", subject.CommonName, NodeUserPrefix+node)
	}
	if !slices.Equal(subject.Organization, []string{NodesGroup}) {
		return fmt.Errorf("organization %v, want [%s]", subject.Organization, NodesGroup)
	}
	return nil
}

// NodeCertUsable reports whether certPEM/keyPEM are a pair for node's
// identity issued by the CA caPEM and valid for a while yet (so the agent
// can keep its credentials across restarts).
func NodeCertUsable(certPEM, keyPEM, caPEM []byte, node string, now time.Time) bool {
	cert, err := decodeCert(certPEM)
	if err != nil {
		return false
	}
	key, err := decodeKey(keyPEM)
	if err != nil || !publicKeysEqual(cert.PublicKey, key.Public()) {
		return false
	}
	if CheckNodeSubject(cert.Subject, node) != nil || cert.NotAfter.Sub(now) < renewBefore {
		return false
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return false
	}
	_, err = cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return err == nil
}
