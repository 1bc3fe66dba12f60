package network

import (
	"errors"
)

// CleanupOverlay removes everything the overlay made in the node
// namespace: berth.vxlan (with its neighbour and forwarding entries and
// routes), host-gw routes with protocol RouteProtocol and the table
// berth-net. For `berth agent --cleanup`; idempotent.
func CleanupOverlay(nodeNetNS string) error {
	h, ns, done, err := nodeHandles(nodeNetNS)
	if err != nil {
		return err
	}
	defer done()
	errs := []error{deleteVXLAN(h), syncRoutes(h, nil), deleteMasquerade(ns)}
	return errors.Join(errs...)
}
