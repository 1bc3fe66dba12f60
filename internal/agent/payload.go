package agent

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-project/berth/internal/volume"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Payload volumes (configMap, secret, downwardAPI, projected) are written
// with the atomic writer (internal/volume) and rewritten when their
// sources change: the agent watches ConfigMaps and Secrets, and every pod
// sync recomputes the payload from the informers' caches; the writer only
// touches the disk when something differs. subPath mounts of them see no
// updates (a bind of the file itself), as in Kubernetes.

const defaultPayloadMode = 0o644

// objects caches the ConfigMaps and Secrets pods refer to.
type objects struct {
	configMaps corelisters.ConfigMapLister
	secrets    corelisters.SecretLister

	mu     sync.Mutex
	tokens map[string]cachedToken // pod UID/volume/path → token
}

type cachedToken struct {
	token   []byte
	refresh time.Time
}

func (a *Agent) startObjects(ctx context.Context) error {
	f := informers.NewSharedInformerFactory(a.client, 0)
	cm, sec := f.Core().V1().ConfigMaps(), f.Core().V1().Secrets()
	a.objects = &objects{configMaps: cm.Lister(), secrets: sec.Lister(), tokens: map[string]cachedToken{}}
	f.Start(ctx.Done())
	go func() { <-ctx.Done(); f.Shutdown() }()
	if !cache.WaitForCacheSync(ctx.Done(), cm.Informer().HasSynced, sec.Informer().HasSynced) {
		return ctx.Err()
	}
	return nil
}

// isPayloadVolume says whether v is written by the atomic writer.
func isPayloadVolume(v *corev1.Volume) bool {
	return v.ConfigMap != nil || v.Secret != nil || v.DownwardAPI != nil || v.Projected != nil
}

// writePayloadVolume (re)writes a payload volume at dir; secret and
// projected volumes live on a tmpfs so their data never touches the disk.
func (a *Agent) writePayloadVolume(ctx context.Context, pod *corev1.Pod, v *corev1.Volume, dir string) (bool, error) {
	files, err := a.volumePayload(ctx, pod, v)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	if (v.Secret != nil || v.Projected != nil) && !isMountPoint(dir) {
		if err := mountTmpfs(dir, "mode=0755"); err != nil {
			return false, err
		}
	}
	return volume.WriteAtomic(dir, files)
}

// refreshPayloadVolumes brings mounted payload volumes up to date.
func (a *Agent) refreshPayloadVolumes(ctx context.Context, pod *corev1.Pod) {
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if !isPayloadVolume(v) {
			continue
		}
		changed, err := a.writePayloadVolume(ctx, pod, v, a.volumeDir(string(pod.UID), v.Name))
		if err != nil {
			a.log.Debug("refreshing volume", "pod", pod.Namespace+"/"+pod.Name, "volume", v.Name, "err", err)
		} else if changed {
			a.log.Info("volume updated", "pod", pod.Namespace+"/"+pod.Name, "volume", v.Name)
		}
	}
}

// volumePayload computes the files of a payload volume.
func (a *Agent) volumePayload(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (map[string]volume.File, error) {
	out := map[string]volume.File{}
	switch {
	case v.ConfigMap != nil:
		return out, a.configMapFiles(pod, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional, modeOr(v.ConfigMap.DefaultMode, nil), out)
	case v.Secret != nil:
		return out, a.secretFiles(pod, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional, modeOr(v.Secret.DefaultMode, nil), out)
	case v.DownwardAPI != nil:
		return out, a.downwardFiles(pod, v.DownwardAPI.Items, modeOr(v.DownwardAPI.DefaultMode, nil), out)
	case v.Projected != nil:
		def := modeOr(v.Projected.DefaultMode, nil)
		for _, src := range v.Projected.Sources {
			var err error
			switch {
			case src.ConfigMap != nil:
				err = a.configMapFiles(pod, src.ConfigMap.Name, src.ConfigMap.Items, src.ConfigMap.Optional, def, out)
			case src.Secret != nil:
				err = a.secretFiles(pod, src.Secret.Name, src.Secret.Items, src.Secret.Optional, def, out)
			case src.DownwardAPI != nil:
				err = a.downwardFiles(pod, src.DownwardAPI.Items, def, out)
			case src.ServiceAccountToken != nil:
				var tok []byte
				if tok, err = a.serviceAccountToken(ctx, pod, v.Name, src.ServiceAccountToken); err == nil {
					out[src.ServiceAccountToken.Path] = volume.File{Data: tok, Mode: def}
				}
			case src.ClusterTrustBundle != nil:
				err = fmt.Errorf("clusterTrustBundle projections are not supported by berth")
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func modeOr(m *int32, item *int32) os.FileMode {
	switch {
	case item != nil:
		return os.FileMode(*item)
	case m != nil:
		return os.FileMode(*m)
	}
	return defaultPayloadMode
}

// projectKeys places data's keys (or the selected items) into out.
func projectKeys(data map[string][]byte, items []corev1.KeyToPath, optional bool, def os.FileMode, what string, out map[string]volume.File) error {
	if len(items) == 0 {
		for k, v := range data {
			out[k] = volume.File{Data: v, Mode: def}
		}
		return nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return fmt.Errorf("%s references non-existent config key: %s", what, it.Key)
		}
		out[it.Path] = volume.File{Data: v, Mode: modeOr(&[]int32{int32(def)}[0], it.Mode)}
	}
	return nil
}

func (a *Agent) configMapFiles(pod *corev1.Pod, name string, items []corev1.KeyToPath, optional *bool, def os.FileMode, out map[string]volume.File) error {
	opt := optional != nil && *optional
	cm, err := a.objects.configMaps.ConfigMaps(pod.Namespace).Get(name)
	if err != nil {
		if apierrors.IsNotFound(err) && opt {
			return nil
		}
		return fmt.Errorf("configmap %q not found", name)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return projectKeys(data, items, opt, def, "configMap", out)
}

func (a *Agent) secretFiles(pod *corev1.Pod, name string, items []corev1.KeyToPath, optional *bool, def os.FileMode, out map[string]volume.File) error {
	opt := optional != nil && *optional
	s, err := a.objects.secrets.Secrets(pod.Namespace).Get(name)
	if err != nil {
		if apierrors.IsNotFound(err) && opt {
			return nil
		}
		return fmt.Errorf("secret %q not found", name)
	}
	return projectKeys(s.Data, items, opt, def, "secret", out)
}

func (a *Agent) downwardFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, def os.FileMode, out map[string]volume.File) error {
	for _, it := range items {
		var val string
		switch {
		case it.FieldRef != nil:
			switch it.FieldRef.FieldPath {
			case "metadata.labels":
				val = formatMap(pod.Labels)
			case "metadata.annotations":
				val = formatMap(pod.Annotations)
			default:
				var err error
				if val, err = podFieldValue(pod, it.FieldRef.FieldPath, pod.Status.PodIP, pod.Status.HostIP); err != nil {
					return err
				}
			}
		case it.ResourceFieldRef != nil:
			c := findContainer(pod, it.ResourceFieldRef.ContainerName)
			if c == nil {
				return fmt.Errorf("downwardAPI %s: container %q not found", it.Path, it.ResourceFieldRef.ContainerName)
			}
			val = resourceFieldValue(c, it.ResourceFieldRef.Resource)
		}
		out[it.Path] = volume.File{Data: []byte(val), Mode: modeOr(&[]int32{int32(def)}[0], it.Mode)}
	}
	return nil
}

// formatMap is the downward API's key="value" lines, sorted.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k + "=" + strconv.Quote(m[k]))
	}
	return b.String()
}

// serviceAccountToken asks the TokenRequest API for a token bound to the
// pod and refreshes it after 80% of its lifetime, as the kubelet does.
func (a *Agent) serviceAccountToken(ctx context.Context, pod *corev1.Pod, vol string, src *corev1.ServiceAccountTokenProjection) ([]byte, error) {
	key := string(pod.UID) + "/" + vol + "/" + src.Path
	a.objects.mu.Lock()
	c, ok := a.objects.tokens[key]
	a.objects.mu.Unlock()
	if ok && time.Now().Before(c.refresh) {
		return c.token, nil
	}
	exp := int64(3600)
	if src.ExpirationSeconds != nil {
		exp = *src.ExpirationSeconds
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	resp, err := a.client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, req, metav1.CreateOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("failed to fetch token: the TokenRequest API (serviceaccounts/%s/token) is not available: %w", sa, err)
		}
		return nil, fmt.Errorf("failed to fetch token: %w", err)
	}
	life := time.Duration(exp) * time.Second
	if resp.Status.ExpirationTimestamp.After(time.Now()) {
		life = time.Until(resp.Status.ExpirationTimestamp.Time)
	}
	a.objects.mu.Lock()
	a.objects.tokens[key] = cachedToken{token: []byte(resp.Status.Token), refresh: time.Now().Add(life * 8 / 10)}
	a.objects.mu.Unlock()
	return []byte(resp.Status.Token), nil
}

// forgetTokens drops a pod's cached tokens.
func (a *Agent) forgetTokens(uid types.UID) {
	a.objects.mu.Lock()
	defer a.objects.mu.Unlock()
	for k := range a.objects.tokens {
		if strings.HasPrefix(k, string(uid)+"/") {
			delete(a.objects.tokens, k)
		}
	}
}
