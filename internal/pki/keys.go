package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
)

// newKey generates the ECDSA P-256 key every berth certificate uses: small,
// fast, and accepted by every Kubernetes client.
func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// encodeKey returns key as a PKCS#8 "PRIVATE KEY" PEM block.
func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// decodeKey reads a PKCS#8 or SEC 1 ("EC PRIVATE KEY") private key.
func decodeKey(data []byte) (crypto.Signer, error) {
	if b, err := firstPEM(data, "PRIVATE KEY"); err == nil {
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, err
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		return s, nil
	}
	b, err := firstPEM(data, "EC PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("no private key PEM block found")
	}
	return x509.ParseECPrivateKey(b.Bytes)
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func decodeCert(data []byte) (*x509.Certificate, error) {
	b, err := firstPEM(data, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(b.Bytes)
}

// serialNumber is a random 128-bit certificate serial (RFC 5280 allows up to
// 20 octets; randomness keeps reissued certificates distinguishable).
func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}
