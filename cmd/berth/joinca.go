package main

import "github.com/berth-project/berth/internal/pki"

// fetchAndPinCA accepts the server's CA only if it matches the join
// token's hash (pki.FetchPinnedCA).
func fetchAndPinCA(server, caHash string) ([]byte, error) { return pki.FetchPinnedCA(server, caHash) }
