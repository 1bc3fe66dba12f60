package image

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"runtime"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PullOptions tune one pull.
type PullOptions struct {
	// InsecureRegistries lists registries (host[:port], as in the image
	// reference) that may be reached over plain HTTP, or over HTTPS without
	// verifying the certificate, like containerd's insecure registry config.
	InsecureRegistries []string
	// Username and Password authenticate to the registry (an image pull
	// secret's entry); anonymous when both are empty.
	Username, Password string
	// Platform selects from a multi-platform image; defaults to linux on
	// this machine's architecture.
	Platform *v1.Platform
}

// Pull fetches an image from its registry into the store and names it by
// the normalised reference and by its repository digest.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*Image, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	insecure := slices.Contains(opts.InsecureRegistries, r.Domain)
	var nameOpts []name.Option
	if insecure {
		nameOpts = append(nameOpts, name.Insecure)
	}
	// Ask the registry for the digest when there is one: it pins the content.
	remoteName := r.Repository() + ":" + r.Tag
	if r.Digest != "" {
		remoteName = r.Repository() + "@" + r.Digest
	}
	nref, err := name.ParseReference(remoteName, nameOpts...)
	if err != nil {
		return nil, err
	}
	platform := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if opts.Platform != nil {
		platform = *opts.Platform
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithPlatform(platform)}
	if opts.Username != "" || opts.Password != "" {
		ropts = append(ropts, remote.WithAuth(&authn.Basic{Username: opts.Username, Password: opts.Password}))
	} else {
		ropts = append(ropts, remote.WithAuth(authn.Anonymous))
	}
	if insecure {
		tr := remote.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the operator listed this registry as insecure
		ropts = append(ropts, remote.WithTransport(tr))
	}
	s.log.Info("pulling image", "ref", r.String(), "insecure", insecure)
	desc, err := remote.Get(nref, ropts...)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", r, err)
	}
	// For an index this picks the manifest for the platform.
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", r, err)
	}
	// Kubernetes reports the digest the registry served for the reference
	// (the index digest for a multi-platform image) as the repo digest.
	refs := []string{r.Repository() + "@" + desc.Digest.String()}
	if r.Tag != "" {
		refs = append(refs, r.Repository()+":"+r.Tag)
	}
	if r.Digest != "" && r.Tag != "" {
		refs = append(refs, r.String())
	}
	stored, err := s.ingest(ctx, img, refs)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", r, err)
	}
	return stored, nil
}
