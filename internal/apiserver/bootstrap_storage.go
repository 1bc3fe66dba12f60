package apiserver

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// BootstrapStorageClasses are the classes of the built-in provisioners
// (internal/controller/volume/README.md): local-path, the default, and local-volume.
func BootstrapStorageClasses() []*storagev1.StorageClass {
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	del := corev1.PersistentVolumeReclaimDelete
	expand := true
	return []*storagev1.StorageClass{
		{
			ObjectMeta:        metav1.ObjectMeta{Name: "local-path", Annotations: map[string]string{storageutil.AnnDefaultClass: "true"}},
			Provisioner:       storageutil.DriverLocalPath,
			ReclaimPolicy:     &del,
			VolumeBindingMode: &wffc,
		},
		{
			ObjectMeta:           metav1.ObjectMeta{Name: "local-volume"},
			Provisioner:          storageutil.DriverLocalVolume,
			ReclaimPolicy:        &del,
			VolumeBindingMode:    &wffc,
			AllowVolumeExpansion: &expand,
			Parameters:           map[string]string{"fsType": "ext4"},
		},
	}
}

// ensureStorageClasses creates the built-in classes that do not exist; an
// existing class (maybe edited by the user) is left alone.
func ensureStorageClasses(ctx context.Context, client kubernetes.Interface) error {
	for _, sc := range BootstrapStorageClasses() {
		_, err := client.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
