package pki

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
)

// EnsureToken returns the admin bearer token kept in file, creating a random
// 32-byte one (64 hex characters, mode 0600) if the file does not exist.
func EnsureToken(file string) (string, error) {
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			return "", fmt.Errorf("token file %s is empty (remove it to create a new token)", file)
		}
		return tok, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	tok, err := randomHex(32)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(file, []byte(tok+"\n"), 0o600); err != nil {
		return "", err
	}
	slog.Info("created admin token", "file", file)
	return tok, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Join tokens have k3s' "secure" format: K10<sha256 of the CA bundle in
// hex>::<user>:<secret>. The hash lets a joining node check the CA it is
// served before trusting it; berth's server tokens use the user "server".
const (
	joinTokenPrefix = "K10"
	joinTokenUser   = "server"
)

// JoinToken builds the join token for a cluster whose CA is caPEM (hashed
// byte for byte, exactly as served to joining nodes) and whose shared
// secret is secret.
func JoinToken(caPEM []byte, secret string) string {
	return joinTokenPrefix + CAHash(caPEM) + "::" + joinTokenUser + ":" + secret
}

// CAHash is the hex SHA-256 of a CA bundle, as carried by join tokens.
func CAHash(caPEM []byte) string {
	sum := sha256.Sum256(caPEM)
	return hex.EncodeToString(sum[:])
}

// ParseJoinToken splits a join token into the CA hash and the secret. As in
// k3s a bare secret (no "K10" prefix, no "::") is accepted too: caHash is
// then empty, meaning the CA is not pinned — VerifyCAHash rejects it, so a
// caller must decide explicitly to trust a CA without a hash.
func ParseJoinToken(tok string) (caHash, secret string, err error) {
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", "", errors.New("empty join token")
	}
	if !strings.HasPrefix(tok, joinTokenPrefix) && !strings.Contains(tok, "::") {
		return "", tok, nil
	}
	rest, ok := strings.CutPrefix(tok, joinTokenPrefix)
	if !ok {
		return "", "", errors.New("invalid join token: must start with " + joinTokenPrefix)
	}
	caHash, cred, ok := strings.Cut(rest, "::")
	if !ok {
		return "", "", errors.New("invalid join token: missing \"::\" after the CA hash")
	}
	if len(caHash) != 2*sha256.Size {
		return "", "", fmt.Errorf("invalid join token: CA hash has %d characters, want %d", len(caHash), 2*sha256.Size)
	}
	if _, err := hex.DecodeString(caHash); err != nil {
		return "", "", errors.New("invalid join token: CA hash is not hexadecimal")
	}
	user, secret, ok := strings.Cut(cred, ":")
	if !ok || user != joinTokenUser {
		return "", "", fmt.Errorf("invalid join token: credentials must be %q followed by the secret", joinTokenUser+":")
	}
	if secret == "" {
		return "", "", errors.New("invalid join token: empty secret")
	}
	return strings.ToLower(caHash), secret, nil
}

// VerifyCAHash reports whether caPEM is the CA a join token's hash pins.
// An empty hash verifies nothing and returns false.
func VerifyCAHash(caPEM []byte, caHash string) bool {
	if caHash == "" {
		return false
	}
	want := CAHash(caPEM)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(caHash))) == 1
}
