// Package images builds berth's test images from our own source and
// Debian's busybox-static, as OCI image-layout tarballs that image.Load
// (and `docker load`) accept:
//
//   - busybox:latest — /bin/busybox with a link for each applet and a
//     minimal /etc;
//   - testhost:latest — the same busybox layer (shared, so stored once) plus
//     /testhost, a static build of cmd/testhost, as the entrypoint, with
//     `serve --port 80` as the default arguments.
//
// It implements the test side of this part of the picture: "nodes run
// images; tests need images they can build here, without any registry".
// Builds are deterministic — fixed timestamps, owners and entry order,
// uncompressed layers, a reproducible Go build — so the same source and
// busybox give the same digests.
//
//	go run ./images/cmd/build-images -out /tmp/images
package images
