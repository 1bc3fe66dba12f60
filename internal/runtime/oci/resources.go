package oci

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
)

// The kubelet's constants for turning CPU into cgroup values.
const (
	minShares     = 2
	sharesPerCPU  = 1024
	milliCPUToCPU = 1000
	quotaPeriod   = 100000 // 100ms, in µs
	minQuota      = 1000   // 1ms

	guaranteedOOMScoreAdj = -997
	besteffortOOMScoreAdj = 1000
)

// milliCPUToShares converts a CPU request to cpu.shares (2 when none).
func milliCPUToShares(milliCPU int64) uint64 {
	if milliCPU == 0 {
		return minShares
	}
	shares := milliCPU * sharesPerCPU / milliCPUToCPU
	if shares < minShares {
		return minShares
	}
	return uint64(shares)
}

// milliCPUToQuota converts a CPU limit to a CFS quota over quotaPeriod.
func milliCPUToQuota(milliCPU int64) int64 {
	if milliCPU == 0 {
		return 0
	}
	q := milliCPU * quotaPeriod / milliCPUToCPU
	if q < minQuota {
		return minQuota
	}
	return q
}

// linuxResources converts a container's requests and limits to cgroup
// settings, as the kubelet does for its containers.
func linuxResources(c *corev1.Container, pidsLimit int64, privileged bool) *specs.LinuxResources {
	r := &specs.LinuxResources{}
	if privileged {
		r.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
	} else {
		// Deny everything; runc then allows its standard devices (null,
		// zero, full, tty, random, urandom, ptys).
		r.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
	}
	cpuReq := c.Resources.Requests.Cpu().MilliValue()
	cpuLim := c.Resources.Limits.Cpu().MilliValue()
	if cpuReq == 0 && cpuLim > 0 { // the API defaults request to limit; be safe
		cpuReq = cpuLim
	}
	shares := milliCPUToShares(cpuReq)
	r.CPU = &specs.LinuxCPU{Shares: &shares}
	if q := milliCPUToQuota(cpuLim); q > 0 {
		period := uint64(quotaPeriod)
		r.CPU.Quota, r.CPU.Period = &q, &period
	}
	if mem := c.Resources.Limits.Memory().Value(); mem > 0 {
		r.Memory = &specs.LinuxMemory{Limit: &mem}
	}
	if pidsLimit > 0 {
		r.Pids = &specs.LinuxPids{Limit: &pidsLimit}
	}
	return r
}

// qosClass is the pod's QoS class: the one the API server recorded, or
// computed by the same rule (Guaranteed: every container limits cpu and
// memory with requests equal to limits; BestEffort: nothing requested or
// limited; else Burstable).
func qosClass(pod *corev1.Pod) corev1.PodQOSClass {
	if pod.Status.QOSClass != "" {
		return pod.Status.QOSClass
	}
	any, guaranteed := false, true
	all := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range all {
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, hasReq := c.Resources.Requests[res]
			lim, hasLim := c.Resources.Limits[res]
			if (hasReq && !req.IsZero()) || (hasLim && !lim.IsZero()) {
				any = true
			}
			if !hasLim || lim.IsZero() || (hasReq && req.Cmp(lim) != 0) {
				guaranteed = false
			}
		}
	}
	switch {
	case !any:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}

// oomScoreAdj is the kubelet's OOM score adjustment: Guaranteed pods are
// killed last, BestEffort first, Burstable ones by how much of the node's
// memory they asked for. Nil when it cannot be computed (no capacity known).
func oomScoreAdj(pod *corev1.Pod, c *corev1.Container, memoryCapacity int64) *int {
	v := 0
	switch qosClass(pod) {
	case corev1.PodQOSGuaranteed:
		v = guaranteedOOMScoreAdj
	case corev1.PodQOSBestEffort:
		v = besteffortOOMScoreAdj
	default:
		if memoryCapacity <= 0 {
			return nil
		}
		req := c.Resources.Requests.Memory().Value()
		v = int(1000 - (1000*req)/memoryCapacity)
		if v < 1000+guaranteedOOMScoreAdj {
			v = 1000 + guaranteedOOMScoreAdj
		}
		if v == besteffortOOMScoreAdj {
			v--
		}
	}
	return &v
}
