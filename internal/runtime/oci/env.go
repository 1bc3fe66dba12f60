package oci

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// defaultPath is containerd's PATH for images that set none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// envList is an ordered environment where setting an existing name replaces
// its value in place, as containerd merges image and container env.
type envList struct {
	keys []string
	vals map[string]string
}

func (e *envList) set(k, v string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *envList) list() []string {
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

// buildEnv merges the image's env, HOSTNAME and the container's env. It also
// returns the container's own variables (not the image's), which is what
// $(VAR) in command and args may refer to.
func buildEnv(imageEnv []string, hostname string, base, env []corev1.EnvVar) ([]string, map[string]string) {
	var all envList
	for _, kv := range imageEnv {
		k, v, _ := strings.Cut(kv, "=")
		all.set(k, v)
	}
	if hostname != "" {
		all.set("HOSTNAME", hostname)
	}
	own := map[string]string{}
	for _, e := range base {
		all.set(e.Name, e.Value)
		own[e.Name] = e.Value
	}
	for _, e := range env {
		v := e.Value
		if e.ValueFrom == nil { // a literal value may refer to earlier variables
			v = expand(v, own)
		}
		all.set(e.Name, v)
		own[e.Name] = v
	}
	out := all.list()
	if _, ok := all.vals["PATH"]; !ok {
		out = append([]string{"PATH=" + defaultPath}, out...)
	}
	return out, own
}

// containerEnv picks the env list: the caller's resolved one, or the
// container's own when it needs no resolving.
func containerEnv(in *Input) ([]corev1.EnvVar, error) {
	if in.Env != nil {
		return in.Env, nil
	}
	for _, e := range in.Container.Env {
		if e.ValueFrom != nil {
			return nil, fmt.Errorf("env %s uses valueFrom: resolve it and pass Input.Env", e.Name)
		}
	}
	return in.Container.Env, nil
}
