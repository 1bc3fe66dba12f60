package loop

import (
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
)

// Listers are the shared caches the storage controllers read. Only the
// informers a controller watches (Loop.Watch) are started and synced, so a
// controller reads only the listers whose informers it watches.
type Listers struct {
	PVs     corelisters.PersistentVolumeLister
	Claims  corelisters.PersistentVolumeClaimLister
	Nodes   corelisters.NodeLister
	Pods    corelisters.PodLister
	Classes storagelisters.StorageClassLister
}

// NewListers takes the listers from factory.
func NewListers(f informers.SharedInformerFactory) Listers {
	return Listers{
		PVs:     f.Core().V1().PersistentVolumes().Lister(),
		Claims:  f.Core().V1().PersistentVolumeClaims().Lister(),
		Nodes:   f.Core().V1().Nodes().Lister(),
		Pods:    f.Core().V1().Pods().Lister(),
		Classes: f.Storage().V1().StorageClasses().Lister(),
	}
}

// Base is what every storage controller embeds: its loop, the shared
// listers and the client.
type Base struct {
	*Loop
	Listers
	Client kubernetes.Interface
}

// NewBase makes the loop called name on factory's informers.
func NewBase(client kubernetes.Interface, factory informers.SharedInformerFactory, name string) Base {
	l := New(client, name)
	l.Start = factory.Start
	return Base{Loop: l, Listers: NewListers(factory), Client: client}
}
