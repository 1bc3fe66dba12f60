package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/berth-project/berth/images"
	"github.com/berth-project/berth/internal/runtime/image"
)

// imageTarballs lists the *.tar files of dir, sorted.
func imageTarballs(dir string) ([]string, error) {
	tars, err := filepath.Glob(filepath.Join(dir, "*.tar"))
	if err != nil {
		return nil, err
	}
	sort.Strings(tars)
	return tars, nil
}

// demoImagesPresent reports whether dir holds both tarballs images.Build
// writes.
func demoImagesPresent(dir string) bool {
	for _, f := range []string{"busybox.tar", "testhost.tar"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// buildDemoImages builds busybox and testhost into dir (needs the Go
// toolchain, berth's source tree and busybox-static).
func buildDemoImages(ctx context.Context, dir string) error {
	if _, err := images.Build(ctx, images.Options{OutDir: dir, Logger: quietLogger()}); err != nil {
		return fmt.Errorf("building the demo images (pass --images DIR with prebuilt tarballs instead): %w", err)
	}
	return nil
}

// loadImages loads every tarball into the image store at storeRoot.
func loadImages(ctx context.Context, storeRoot string, tars []string) error {
	s, err := image.New(storeRoot, image.Options{Logger: quietLogger()})
	if err != nil {
		return err
	}
	for _, t := range tars {
		imgs, err := s.Load(ctx, t)
		if err != nil {
			return fmt.Errorf("loading %s into %s: %w", t, storeRoot, err)
		}
		for _, img := range imgs {
			slog.Debug("cluster: image loaded", "store", storeRoot, "tags", img.RepoTags)
		}
	}
	return nil
}

// quietLogger is the default logger minus its info messages (the image
// store logs each image at info, noise between create's steps) unless debug
// logging is on.
func quietLogger() *slog.Logger {
	h := slog.Default().Handler()
	if h.Enabled(context.Background(), slog.LevelDebug) {
		return slog.Default()
	}
	return slog.New(minLevel{Handler: h, min: slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{Handler: m.Handler.WithAttrs(a), min: m.min}
}

func (m minLevel) WithGroup(g string) slog.Handler {
	return minLevel{Handler: m.Handler.WithGroup(g), min: m.min}
}
