package printers

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Placeholders kubectl users know from real clusters.
const (
	none    = "<none>"
	unset   = "<unset>"
	unknown = "<unknown>"
)

// age renders the time since t the way kubectl's AGE column does ("5m",
// "3h12m", "4d"); a missing timestamp prints as <unknown>.
func age(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return unknown
	}
	return duration.HumanDuration(now.Sub(t.Time))
}

// microAge is age for the microsecond timestamps of events.
func microAge(t metav1.MicroTime, now time.Time) string {
	if t.IsZero() {
		return unknown
	}
	return duration.HumanDuration(now.Sub(t.Time))
}

// orNone prints an empty value as <none>.
func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

// containerCells lists container names and images, comma separated, as the
// CONTAINERS and IMAGES wide columns of workloads show them.
func containerCells(containers []corev1.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, c := range containers {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}

// accessModes abbreviates access modes in the fixed order kubectl uses
// (RWO, ROX, RWX, RWOP), each once, whatever order the object lists them in.
func accessModes(modes []corev1.PersistentVolumeAccessMode) string {
	has := make(map[corev1.PersistentVolumeAccessMode]bool, len(modes))
	for _, m := range modes {
		has[m] = true
	}
	var out []string
	for _, m := range []struct {
		mode  corev1.PersistentVolumeAccessMode
		short string
	}{
		{corev1.ReadWriteOnce, "RWO"},
		{corev1.ReadOnlyMany, "ROX"},
		{corev1.ReadWriteMany, "RWX"},
		{corev1.ReadWriteOncePod, "RWOP"},
	} {
		if has[m.mode] {
			out = append(out, m.short)
		}
	}
	return strings.Join(out, ",")
}

// lbPoint is one load-balancer ingress point of a Service or an Ingress.
type lbPoint struct{ ip, hostname string }

// loadBalancerAddresses joins the distinct IPs (or, without an IP, the
// hostnames) of load-balancer ingress points, sorted. The server always
// prints them in full; only client-side narrow printing would truncate.
func loadBalancerAddresses(points []lbPoint) string {
	seen := map[string]bool{}
	for _, p := range points {
		switch {
		case p.ip != "":
			seen[p.ip] = true
		case p.hostname != "":
			seen[p.hostname] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// listWithMore joins the first max entries and summarises the rest as
// "+ N more...", the way kubectl keeps long cells readable. total counts
// every entry, shown or not.
func listWithMore(shown []string, total, max int) string {
	s := strings.Join(shown, ",")
	if total > max {
		return fmt.Sprintf("%s + %d more...", s, total-max)
	}
	return s
}

// kindName prints "kind/name" in lower case, the way kubectl names objects
// ("pod/web-0", "statefulset.apps/web").
func kindName(kind, name string) string {
	if name == "" {
		return strings.ToLower(kind)
	}
	return strings.ToLower(kind) + "/" + name
}
