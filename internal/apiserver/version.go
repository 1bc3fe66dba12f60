package apiserver

import (
	"runtime"

	apimachineryversion "k8s.io/apimachinery/pkg/version"
	"k8s.io/component-base/compatibility"
)

// KubernetesVersion is the Kubernetes release whose API berth serves: the
// k8s.io/api module version it is built with.
const KubernetesVersion = "1.37.2"

// BerthVersion is berth's own version, reported as build metadata.
var BerthVersion = "0.1.0"

// GitVersion is what /version reports, in the k3s style "v1.37.2+berth".
func GitVersion() string { return "v" + KubernetesVersion + "+berth" }

// effectiveVersion reports KubernetesVersion on /version instead of the
// placeholder component-base carries when not built by Kubernetes' scripts.
type effectiveVersion struct {
	compatibility.MutableEffectiveVersion
}

func newEffectiveVersion() effectiveVersion {
	return effectiveVersion{compatibility.NewEffectiveVersionFromString(KubernetesVersion, "", "")}
}

func (e effectiveVersion) Info() *apimachineryversion.Info {
	info := e.MutableEffectiveVersion.Info()
	info.GitVersion = GitVersion()
	info.GitCommit = "berth-" + BerthVersion
	info.GitTreeState = "clean"
	info.BuildDate = ""
	info.GoVersion = runtime.Version()
	info.Compiler = runtime.Compiler
	info.Platform = runtime.GOOS + "/" + runtime.GOARCH
	return info
}
