package pki

import (
	"crypto/ecdsa"
	"fmt"
	"os"
	"path/filepath"
)

const saKeyFile = "sa.key"

// EnsureServiceAccountKey returns the key that signs service account
// tokens, kept in dir/sa.key and created (ECDSA P-256, for ES256) on first
// use. Every API server of a cluster must share it.
func EnsureServiceAccountKey(dir string) (*ecdsa.PrivateKey, error) {
	file := filepath.Join(dir, saKeyFile)
	if data, err := os.ReadFile(file); err == nil {
		k, err := decodeKey(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: not an ECDSA key", file)
		}
		return ek, nil
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	k, err := newKey()
	if err != nil {
		return nil, err
	}
	data, err := encodeKey(k)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(file, data, 0o600); err != nil {
		return nil, err
	}
	return k, nil
}
