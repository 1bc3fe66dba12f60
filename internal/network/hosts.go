package network

import (
	"fmt"
	"net"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// maxHostnameLen is what fits in the kernel's 64-byte nodename with its NUL.
const maxHostnameLen = 63

// PodHostname returns the pod's hostname and, when spec.subdomain is set,
// its domain "<subdomain>.<namespace>.svc.<clusterDomain>", following the
// kubelet: spec.hostnameOverride if set (then no domain), else spec.hostname,
// else the pod name; cut to 63 characters without a trailing '-' or '.'.
func PodHostname(pod *corev1.Pod, clusterDomain string) (hostname, domain string) {
	if o := pod.Spec.HostnameOverride; o != nil && *o != "" {
		return truncateHostname(*o), ""
	}
	hostname = pod.Name
	if pod.Spec.Hostname != "" {
		hostname = pod.Spec.Hostname
	}
	hostname = truncateHostname(hostname)
	if pod.Spec.Subdomain != "" {
		domain = fmt.Sprintf("%s.%s.svc.%s", pod.Spec.Subdomain, pod.Namespace, clusterDomain)
	}
	return hostname, domain
}

func truncateHostname(h string) string {
	if len(h) <= maxHostnameLen {
		return h
	}
	return strings.TrimRight(h[:maxHostnameLen], "-.")
}

// KernelHostname is the hostname to set in the pod's UTS namespace: the
// PodHostname, or its FQDN when spec.setHostnameAsFQDN is true and there is
// a domain. Like the kubelet it fails if that FQDN exceeds 64 characters.
func KernelHostname(pod *corev1.Pod, clusterDomain string) (string, error) {
	host, domain := PodHostname(pod, clusterDomain)
	if pod.Spec.SetHostnameAsFQDN == nil || !*pod.Spec.SetHostnameAsFQDN || domain == "" {
		return host, nil
	}
	fqdn := host + "." + domain
	if len(fqdn) > maxHostnameLen+1 {
		return "", fmt.Errorf("network: pod FQDN %q is longer than 64 characters and cannot be the hostname (setHostnameAsFQDN)", fqdn)
	}
	return fqdn, nil
}

// EtcHosts returns the kubelet-managed /etc/hosts of a pod that has its own
// network namespace: the localhost and IPv6 boilerplate, one line per pod IP
// naming the pod (with its FQDN first when spec.subdomain is set), then the
// spec.hostAliases entries.
func EtcHosts(pod *corev1.Pod, podIPs []net.IP, clusterDomain string) []byte {
	host, domain := PodHostname(pod, clusterDomain)
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	for _, ip := range podIPs {
		if domain != "" {
			fmt.Fprintf(&b, "%s\t%s.%s\t%s\n", ip, host, domain, host)
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", ip, host)
		}
	}
	b.WriteString(hostAliasLines(pod.Spec.HostAliases))
	return []byte(b.String())
}

// EtcHostsHostNetwork returns /etc/hosts for a hostNetwork pod: the node's
// own hosts file under a marker line, plus the pod's hostAliases.
func EtcHostsHostNetwork(pod *corev1.Pod, nodeEtcHosts []byte) []byte {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file (host network).\n")
	b.Write(nodeEtcHosts)
	b.WriteString(hostAliasLines(pod.Spec.HostAliases))
	return []byte(b.String())
}

// hostAliasLines renders spec.hostAliases, one line per entry.
func hostAliasLines(aliases []corev1.HostAlias) string {
	if len(aliases) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n# Entries added by HostAliases.\n")
	for _, a := range aliases {
		fmt.Fprintf(&b, "%s\t%s\n", a.IP, strings.Join(a.Hostnames, "\t"))
	}
	return b.String()
}
