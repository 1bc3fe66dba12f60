package image

import "golang.org/x/sys/unix"

func lgetxattr(path, attr string, dest []byte) (int, error) { return unix.Lgetxattr(path, attr, dest) }
