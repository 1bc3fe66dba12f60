// Package image is berth's content-addressed image store.
//
// It implements this part of the picture: "a pod's containers run from OCI
// images; a node pulls each image once and shares its layers between every
// container that uses it, each container getting its own writable layer".
//
// Layout under the store's root directory:
//
//	blobs/sha256/<hex>     manifests and image configs, named by their digest
//	layers/sha256/<hex>    unpacked layer trees, named by their diff-id, so an
//	                       unpacked layer is shared by every image containing it
//	index.json             references (docker.io/library/busybox:latest) and
//	                       repo digests → manifest digest, and per-manifest
//	                       records (config digest, layers)
//	tmp/                   staging; a layer is unpacked here and renamed into
//	                       place only when complete and verified against its
//	                       diff-id
//
// Compressed layer blobs are not kept: the unpacked tree keyed by its diff-id
// is the verified, content-addressed form, and keeping both would double the
// disk use for no reader.
//
// Layer trees are laid out for overlayfs: whiteouts (".wh.name") become 0/0
// character devices and opaque directories (".wh..wh..opq") get the
// trusted.overlay.opaque xattr, so RootFS can stack the layers directly as
// lowerdirs. Unpacking goes through an os.Root, so no tar entry can write
// outside its layer directory, whether by "../" names, absolute or relative
// symlinks, or hard links.
package image
