package oci

import (
	"fmt"
	"os"
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Device is a block device given to the container (a volumeDevices entry
// of a Block-mode claim): the node's device numbers, created inside the
// container at Path and allowed by the device cgroup.
type Device struct {
	Path         string // in the container (volumeDevices[].devicePath)
	Major, Minor int64
}

// addDevices puts the devices into the spec: device nodes and cgroup
// rules allowing read, write and mknod on exactly them.
func addDevices(spec *specs.Spec, devs []Device) error {
	for _, d := range devs {
		if !path.IsAbs(d.Path) {
			return fmt.Errorf("volume device %q: path must be absolute", d.Path)
		}
		mode := os.FileMode(0o660)
		uid, gid := uint32(0), uint32(0)
		spec.Linux.Devices = append(spec.Linux.Devices, specs.LinuxDevice{
			Path: path.Clean(d.Path), Type: "b", Major: d.Major, Minor: d.Minor, FileMode: &mode, UID: &uid, GID: &gid,
		})
		if spec.Linux.Resources == nil {
			spec.Linux.Resources = &specs.LinuxResources{}
		}
		major, minor := d.Major, d.Minor
		spec.Linux.Resources.Devices = append(spec.Linux.Resources.Devices, specs.LinuxDeviceCgroup{
			Allow: true, Type: "b", Major: &major, Minor: &minor, Access: "rwm",
		})
	}
	return nil
}
