// Command build-images writes berth's test images (busybox:latest and
// testhost:latest) as OCI-layout tarballs to a directory.
//
//	go run ./images/cmd/build-images -out /tmp/images
//
// Run it from inside the berth module (or pass -module).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/berth-project/berth/images"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	module := flag.String("module", "", "berth module root (default: from `go env GOMOD`)")
	busybox := flag.String("busybox", "", "static busybox binary (default: Debian's busybox-static)")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	res, err := images.Build(context.Background(), images.Options{OutDir: *out, ModuleDir: *module, Busybox: *busybox,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(res.Busybox)
	fmt.Println(res.Testhost)
}
