package podproxy

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DefaultAgentPort is where agents listen when a Node does not say (the
// kubelet's port).
const DefaultAgentPort = 10250

// agentAddressOrder is which Node address is used to reach its agent, best
// first.
var agentAddressOrder = []corev1.NodeAddressType{
	corev1.NodeInternalIP, corev1.NodeInternalDNS, corev1.NodeHostName, corev1.NodeExternalIP, corev1.NodeExternalDNS,
}

// AgentHostPort is host:port of a Node's agent: its best address (InternalIP
// first) and status.daemonEndpoints.kubeletEndpoint.Port (default 10250).
func AgentHostPort(node *corev1.Node) (string, error) {
	port := node.Status.DaemonEndpoints.KubeletEndpoint.Port
	if port <= 0 {
		port = DefaultAgentPort
	}
	for _, typ := range agentAddressOrder {
		for _, a := range node.Status.Addresses {
			if a.Type == typ && a.Address != "" {
				return net.JoinHostPort(a.Address, strconv.Itoa(int(port))), nil
			}
		}
	}
	return "", apierrors.NewServiceUnavailable(fmt.Sprintf("node %s has no address to reach its agent at; known addresses: %v", node.Name, node.Status.Addresses))
}

// resolveContainer picks the container a request is about: the named one,
// which must exist in the pod (regular, init or ephemeral), or the only
// container when none is named.
func resolveContainer(pod *corev1.Pod, name string) (string, error) {
	if name == "" {
		switch len(pod.Spec.Containers) {
		case 1:
			return pod.Spec.Containers[0].Name, nil
		case 0:
			return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name))
		}
		msg := fmt.Sprintf("a container name must be specified for pod %s, choose one of: %s", pod.Name, containerNames(pod.Spec.Containers))
		if len(pod.Spec.InitContainers) > 0 {
			msg += fmt.Sprintf(" or one of the init containers: %s", containerNames(pod.Spec.InitContainers))
		}
		return "", apierrors.NewBadRequest(msg)
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return name, nil
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return name, nil
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return name, nil
		}
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
}

func containerNames(cs []corev1.Container) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return "[" + strings.Join(names, " ") + "]"
}

// requireRunning refuses streams into pods that do not run, with kubectl's
// words for completed pods. action says what was refused: "exec into a
// container", "attach to a container", "forward ports".
func requireRunning(pod *corev1.Pod, action string) error {
	switch phase := pod.Status.Phase; phase {
	case corev1.PodRunning:
		return nil
	case corev1.PodSucceeded, corev1.PodFailed:
		return apierrors.NewBadRequest(fmt.Sprintf("cannot %s in a completed pod; current phase is %s", action, phase))
	default:
		return apierrors.NewBadRequest(fmt.Sprintf("cannot %s in pod %s: it is not running; current phase is %s", action, pod.Name, phase))
	}
}

// validateLogOptions checks PodLogOptions as Kubernetes does.
func validateLogOptions(o *corev1.PodLogOptions) field.ErrorList {
	var errs field.ErrorList
	if o.TailLines != nil && *o.TailLines < 0 {
		errs = append(errs, field.Invalid(field.NewPath("tailLines"), *o.TailLines, "must be greater than or equal to 0"))
	}
	if o.LimitBytes != nil && *o.LimitBytes < 1 {
		errs = append(errs, field.Invalid(field.NewPath("limitBytes"), *o.LimitBytes, "must be greater than 0"))
	}
	switch {
	case o.SinceSeconds != nil && o.SinceTime != nil:
		errs = append(errs, field.Forbidden(field.NewPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
	case o.SinceSeconds != nil && *o.SinceSeconds < 1:
		errs = append(errs, field.Invalid(field.NewPath("sinceSeconds"), *o.SinceSeconds, "must be greater than 0"))
	}
	return errs
}
