package agent

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resolveEnv turns a container's env and envFrom into final values:
// valueFrom references (pod fields, ConfigMap and Secret keys) are looked up
// now, as the kubelet does at container start. It returns envFrom's
// variables (BaseEnv) and the resolved env list.
func (a *Agent) resolveEnv(ctx context.Context, pod *corev1.Pod, c *corev1.Container, podIP, hostIP string) (base, env []corev1.EnvVar, err error) {
	for _, from := range c.EnvFrom {
		var data map[string]string
		optional := false
		switch {
		case from.ConfigMapRef != nil:
			optional = from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional
			cm, err := a.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				if optional {
					continue
				}
				return nil, nil, fmt.Errorf("configmap %q not found", from.ConfigMapRef.Name)
			}
			data = cm.Data
		case from.SecretRef != nil:
			optional = from.SecretRef.Optional != nil && *from.SecretRef.Optional
			s, err := a.client.CoreV1().Secrets(pod.Namespace).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				if optional {
					continue
				}
				return nil, nil, fmt.Errorf("secret %q not found", from.SecretRef.Name)
			}
			data = map[string]string{}
			for k, v := range s.Data {
				data[k] = string(v)
			}
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			base = append(base, corev1.EnvVar{Name: from.Prefix + k, Value: data[k]})
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env = append(env, e)
			continue
		}
		v, ok, err := a.envValueFrom(ctx, pod, c, e.ValueFrom, podIP, hostIP)
		if err != nil {
			return nil, nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		if !ok {
			continue // optional and missing
		}
		env = append(env, corev1.EnvVar{Name: e.Name, Value: v, ValueFrom: e.ValueFrom})
	}
	return base, env, nil
}

func (a *Agent) envValueFrom(ctx context.Context, pod *corev1.Pod, c *corev1.Container, src *corev1.EnvVarSource, podIP, hostIP string) (string, bool, error) {
	switch {
	case src.FieldRef != nil:
		v, err := podFieldValue(pod, src.FieldRef.FieldPath, podIP, hostIP)
		return v, err == nil, err
	case src.ConfigMapKeyRef != nil:
		ref := src.ConfigMapKeyRef
		cm, err := a.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err == nil {
			if v, ok := cm.Data[ref.Key]; ok {
				return v, true, nil
			}
		}
		if ref.Optional != nil && *ref.Optional {
			return "", false, nil
		}
		return "", false, fmt.Errorf("couldn't find key %s in ConfigMap %s/%s", ref.Key, pod.Namespace, ref.Name)
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		s, err := a.client.CoreV1().Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err == nil {
			if v, ok := s.Data[ref.Key]; ok {
				return string(v), true, nil
			}
		}
		if ref.Optional != nil && *ref.Optional {
			return "", false, nil
		}
		return "", false, fmt.Errorf("couldn't find key %s in Secret %s/%s", ref.Key, pod.Namespace, ref.Name)
	case src.ResourceFieldRef != nil:
		return resourceFieldValue(c, src.ResourceFieldRef.Resource), true, nil
	}
	return "", false, fmt.Errorf("unsupported valueFrom")
}

// podFieldValue resolves the downward-API field paths Kubernetes supports.
func podFieldValue(pod *corev1.Pod, path, podIP, hostIP string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs":
		return podIP, nil
	case "status.hostIP", "status.hostIPs":
		return hostIP, nil
	}
	if k, ok := strings.CutPrefix(path, "metadata.labels['"); ok {
		return pod.Labels[strings.TrimSuffix(k, "']")], nil
	}
	if k, ok := strings.CutPrefix(path, "metadata.annotations['"); ok {
		return pod.Annotations[strings.TrimSuffix(k, "']")], nil
	}
	return "", fmt.Errorf("unsupported fieldPath %q", path)
}

func resourceFieldValue(c *corev1.Container, res string) string {
	name, isLimit := strings.CutPrefix(res, "limits.")
	if !isLimit {
		name, _ = strings.CutPrefix(res, "requests.")
	}
	list := c.Resources.Requests
	if isLimit {
		list = c.Resources.Limits
	}
	if q, ok := list[corev1.ResourceName(name)]; ok {
		if name == "cpu" {
			return fmt.Sprint((q.MilliValue() + 999) / 1000)
		}
		return fmt.Sprint(q.Value())
	}
	return "0"
}

// envMap is the container's own variables by name, for subPathExpr: final
// values as they are, literal ones with $(VAR) references to earlier
// variables expanded.
func envMap(base, env []corev1.EnvVar) map[string]string {
	out := map[string]string{}
	for _, e := range base {
		out[e.Name] = e.Value
	}
	for _, e := range env {
		v := e.Value
		if e.ValueFrom == nil {
			v = volume.ExpandSubPathExpr(v, out)
		}
		out[e.Name] = v
	}
	return out
}
