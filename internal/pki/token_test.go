package pki

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestEnsureToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "token")
	tok, err := EnsureToken(file)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(tok) {
		t.Fatalf("token %q is not 32 random bytes in hex", tok)
	}
	if m := fileMode(t, file); m != 0o600 {
		t.Fatalf("token file mode %v, want 0600", m)
	}
	again, err := EnsureToken(file)
	if err != nil || again != tok {
		t.Fatalf("second EnsureToken = %q, %v; want the stored %q", again, err, tok)
	}
	other, _ := EnsureToken(filepath.Join(t.TempDir(), "token"))
	if other == tok {
		t.Fatal("two fresh tokens are equal")
	}
	// A token written by hand (with a newline) is taken as is.
	hand := filepath.Join(t.TempDir(), "token")
	os.WriteFile(hand, []byte("  my-token\n"), 0o600)
	if got, err := EnsureToken(hand); err != nil || got != "my-token" {
		t.Fatalf("hand-written token = %q, %v", got, err)
	}
	empty := filepath.Join(t.TempDir(), "token")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := EnsureToken(empty); err == nil {
		t.Fatal("empty token file accepted")
	}
}

func TestJoinTokenRoundTrip(t *testing.T) {
	caPEM := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	sum := sha256.Sum256(caPEM)
	tok := JoinToken(caPEM, "s3cret")
	if want := "K10" + hex.EncodeToString(sum[:]) + "::server:s3cret"; tok != want {
		t.Fatalf("JoinToken = %q, want %q", tok, want)
	}
	hash, secret, err := ParseJoinToken(tok)
	if err != nil || secret != "s3cret" {
		t.Fatalf("ParseJoinToken = %q, %q, %v", hash, secret, err)
	}
	if !VerifyCAHash(caPEM, hash) {
		t.Fatal("hash from the token does not verify its own CA")
	}
	if !VerifyCAHash(caPEM, strings.ToUpper(hash)) {
		t.Fatal("upper-case hex hash rejected")
	}
	if VerifyCAHash(append([]byte("x"), caPEM...), hash) {
		t.Fatal("hash verifies a different CA")
	}
	if VerifyCAHash(caPEM, "") {
		t.Fatal("empty hash verifies")
	}
}

func TestParseJoinToken(t *testing.T) {
	h := strings.Repeat("ab", 32)
	tests := []struct {
		tok        string
		wantHash   string
		wantSecret string
		wantErr    bool
	}{
		{tok: "K10" + h + "::server:abc", wantHash: h, wantSecret: "abc"},
		{tok: " K10" + h + "::server:a:b:c\n", wantHash: h, wantSecret: "a:b:c"},
		{tok: "K10" + strings.ToUpper(h) + "::server:x", wantHash: h, wantSecret: "x"},
		{tok: "plainsecret", wantSecret: "plainsecret"}, // k3s short form: CA not pinned
		{tok: "", wantErr: true},
		{tok: "K10" + h + "::server:", wantErr: true},
		{tok: "K10" + h + "::node:abc", wantErr: true},
		{tok: "K10" + h + "::abc", wantErr: true},
		{tok: "K10" + h[:62] + "::server:abc", wantErr: true},
		{tok: "K10" + strings.Repeat("zz", 32) + "::server:abc", wantErr: true},
		{tok: "K20" + h + "::server:abc", wantErr: true},
		{tok: "K10" + h, wantErr: true},
	}
	for _, tt := range tests {
		hash, secret, err := ParseJoinToken(tt.tok)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseJoinToken(%q) err = %v, wantErr %v", tt.tok, err, tt.wantErr)
			continue
		}
		if hash != tt.wantHash || secret != tt.wantSecret {
			t.Errorf("ParseJoinToken(%q) = %q, %q; want %q, %q", tt.tok, hash, secret, tt.wantHash, tt.wantSecret)
		}
	}
}
