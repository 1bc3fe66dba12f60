package printers

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func running(ready bool, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "app", Ready: ready, RestartCount: restarts,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago(time.Hour)}}}
}

func waiting(reason string, restarts int32, lastExit time.Duration) corev1.ContainerStatus {
	st := corev1.ContainerStatus{Name: "app", RestartCount: restarts,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	if lastExit > 0 {
		st.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: ago(lastExit)}
	}
	return st
}

func terminated(reason string, code, signal int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "app",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code, Signal: signal}}}
}

func named(st corev1.ContainerStatus, name string) corev1.ContainerStatus { st.Name = name; return st }

func containers(names ...string) []corev1.Container {
	out := make([]corev1.Container, len(names))
	for i, n := range names {
		out[i] = corev1.Container{Name: n, Image: n + ":1"}
	}
	return out
}

func cond(t corev1.PodConditionType, s corev1.ConditionStatus) corev1.PodCondition {
	return corev1.PodCondition{Type: t, Status: s}
}

// basePod is a scheduled pod with one container "app", created 10m ago.
func basePod(phase corev1.PodPhase, statuses ...corev1.ContainerStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: objMeta("web", 10*time.Minute),
		Spec:       corev1.PodSpec{NodeName: "node-1", Containers: containers("app")},
		Status: corev1.PodStatus{Phase: phase, PodIP: "10.244.0.5",
			PodIPs: []corev1.PodIP{{IP: "10.244.0.5"}}, ContainerStatuses: statuses},
	}
}

func TestPodCells(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name string
		pod  func() *corev1.Pod
		want row
	}{{
		name: "running and ready",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodReady, corev1.ConditionTrue)}
			return p
		},
		want: row{"web", "1/1", "Running", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "running but not ready",
		pod:  func() *corev1.Pod { return basePod(corev1.PodRunning, running(false, 0)) },
		want: row{"web", "0/1", "Running", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "crash looping shows restarts with time of last exit",
		pod:  func() *corev1.Pod { return basePod(corev1.PodRunning, waiting("CrashLoopBackOff", 5, 2*time.Minute)) },
		want: row{"web", "0/1", "CrashLoopBackOff", "5 (2m ago)", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "restarted and running again",
		pod: func() *corev1.Pod {
			st := running(true, 3)
			st.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 137, FinishedAt: ago(90 * time.Second)}
			return basePod(corev1.PodRunning, st)
		},
		want: row{"web", "1/1", "Running", "3 (90s ago)", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "pending, not scheduled",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending)
			p.Spec.NodeName, p.Status.PodIP, p.Status.PodIPs = "", "", nil
			return p
		},
		want: row{"web", "0/1", "Pending", "0", "10m", "<none>", "<none>", "<none>", "<none>"},
	}, {
		name: "container creating",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending, waiting("ContainerCreating", 0, 0))
			p.Status.PodIP, p.Status.PodIPs = "", nil
			return p
		},
		want: row{"web", "0/1", "ContainerCreating", "0", "10m", "<none>", "node-1", "<none>", "<none>"},
	}, {
		name: "image pull back-off",
		pod:  func() *corev1.Pod { return basePod(corev1.PodPending, waiting("ImagePullBackOff", 0, 0)) },
		want: row{"web", "0/1", "ImagePullBackOff", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "terminating",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.DeletionTimestamp = agoPtr(5 * time.Second)
			return p
		},
		want: row{"web", "1/1", "Terminating", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "deleted on a lost node is Unknown",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.DeletionTimestamp = agoPtr(5 * time.Second)
			p.Status.Reason = "NodeLost"
			return p
		},
		want: row{"web", "1/1", "Unknown", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "completed",
		pod:  func() *corev1.Pod { return basePod(corev1.PodSucceeded, terminated("Completed", 0, 0)) },
		want: row{"web", "0/1", "Completed", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "completed pod being deleted stays Completed",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodSucceeded, terminated("Completed", 0, 0))
			p.DeletionTimestamp = agoPtr(time.Second)
			return p
		},
		want: row{"web", "0/1", "Completed", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "failed container",
		pod:  func() *corev1.Pod { return basePod(corev1.PodFailed, terminated("Error", 1, 0)) },
		want: row{"web", "0/1", "Error", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "oom killed",
		pod:  func() *corev1.Pod { return basePod(corev1.PodRunning, terminated("OOMKilled", 137, 0)) },
		want: row{"web", "0/1", "OOMKilled", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "terminated without reason shows signal",
		pod:  func() *corev1.Pod { return basePod(corev1.PodRunning, terminated("", 137, 9)) },
		want: row{"web", "0/1", "Signal:9", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "terminated without reason or signal shows exit code",
		pod:  func() *corev1.Pod { return basePod(corev1.PodRunning, terminated("", 2, 0)) },
		want: row{"web", "0/1", "ExitCode:2", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "evicted",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodFailed)
			p.Status.Reason = "Evicted"
			p.Status.PodIP, p.Status.PodIPs = "", nil
			return p
		},
		want: row{"web", "0/1", "Evicted", "0", "10m", "<none>", "node-1", "<none>", "<none>"},
	}, {
		name: "one container completed, one still running and pod ready",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, named(terminated("Completed", 0, 0), "job"), running(true, 0))
			p.Spec.Containers = containers("job", "app")
			p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodReady, corev1.ConditionTrue)}
			return p
		},
		want: row{"web", "1/2", "Running", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "one container completed, one still running, pod not ready",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, named(terminated("Completed", 0, 0), "job"), running(true, 0))
			p.Spec.Containers = containers("job", "app")
			return p
		},
		want: row{"web", "1/2", "NotReady", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "second of two init containers running",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending, waiting("PodInitializing", 0, 0))
			p.Spec.InitContainers = containers("migrate", "seed")
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{
				named(terminated("Completed", 0, 0), "migrate"),
				named(running(false, 0), "seed"),
			}
			return p
		},
		want: row{"web", "0/1", "Init:1/2", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "init container crash looping counts its restarts",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending, waiting("PodInitializing", 0, 0))
			p.Spec.InitContainers = containers("migrate")
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{named(waiting("CrashLoopBackOff", 4, 30*time.Second), "migrate")}
			return p
		},
		want: row{"web", "0/1", "Init:CrashLoopBackOff", "4 (30s ago)", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "init container failed",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending, waiting("PodInitializing", 0, 0))
			p.Spec.InitContainers = containers("migrate")
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{named(terminated("Error", 1, 0), "migrate")}
			return p
		},
		want: row{"web", "0/1", "Init:Error", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "init container killed by signal",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending)
			p.Spec.InitContainers = containers("migrate")
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{named(terminated("", 137, 9), "migrate")}
			return p
		},
		want: row{"web", "0/1", "Init:Signal:9", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "init containers done, app running",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.Spec.InitContainers = containers("migrate")
			st := named(terminated("Completed", 0, 0), "migrate")
			st.RestartCount = 2 // restarts of finished init containers no longer count
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{st}
			p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodInitialized, corev1.ConditionTrue), cond(corev1.PodReady, corev1.ConditionTrue)}
			return p
		},
		want: row{"web", "1/1", "Running", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "sidecar init container counts as a container",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.Spec.InitContainers = []corev1.Container{{Name: "proxy", Image: "envoy", RestartPolicy: &always}}
			side := named(running(true, 1), "proxy")
			side.Started = ptr(true)
			side.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: ago(5 * time.Minute)}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{side}
			p.Status.Conditions = []corev1.PodCondition{cond(corev1.PodInitialized, corev1.ConditionTrue)}
			return p
		},
		want: row{"web", "2/2", "Running", "1 (5m ago)", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "sidecar not started yet blocks initialization",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending)
			p.Spec.InitContainers = []corev1.Container{{Name: "proxy", Image: "envoy", RestartPolicy: &always}}
			side := named(running(false, 0), "proxy")
			side.Started = ptr(false)
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{side}
			return p
		},
		want: row{"web", "0/2", "Init:0/1", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "scheduling gated",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodPending)
			p.Spec.NodeName, p.Status.PodIP, p.Status.PodIPs = "", "", nil
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "SchedulingGated"}}
			return p
		},
		want: row{"web", "0/1", "SchedulingGated", "0", "10m", "<none>", "<none>", "<none>", "<none>"},
	}, {
		name: "nominated node and readiness gates",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.Status.NominatedNodeName = "node-2"
			p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "example.com/lb"}, {ConditionType: "example.com/dns"}}
			p.Status.Conditions = []corev1.PodCondition{cond("example.com/lb", corev1.ConditionTrue), cond("example.com/dns", corev1.ConditionFalse)}
			return p
		},
		want: row{"web", "1/1", "Running", "0", "10m", "10.244.0.5", "node-1", "node-2", "1/2"},
	}, {
		name: "only the legacy podIP field set",
		pod: func() *corev1.Pod {
			p := basePod(corev1.PodRunning, running(true, 0))
			p.Status.PodIPs = nil
			return p
		},
		want: row{"web", "1/1", "Running", "0", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}, {
		name: "restarts summed over containers, latest exit wins",
		pod: func() *corev1.Pod {
			a := named(running(true, 2), "a")
			a.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{FinishedAt: ago(3 * time.Hour)}
			b := named(running(true, 1), "b")
			b.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{FinishedAt: ago(20 * time.Minute)}
			p := basePod(corev1.PodRunning, a, b)
			p.Spec.Containers = containers("a", "b")
			return p
		},
		want: row{"web", "2/2", "Running", "3 (20m ago)", "10m", "10.244.0.5", "node-1", "<none>", "<none>"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkCells(t, len(podColumns), podCells(tc.pod(), now), tc.want)
		})
	}
}

func TestPodConditions(t *testing.T) {
	tests := []struct {
		phase  corev1.PodPhase
		reason string
	}{
		{corev1.PodRunning, ""},
		{corev1.PodPending, ""},
		{corev1.PodSucceeded, "Succeeded"},
		{corev1.PodFailed, "Failed"},
	}
	for _, tc := range tests {
		got := podConditions(basePod(tc.phase))
		if tc.reason == "" {
			if got != nil {
				t.Errorf("%s: got conditions %v, want none", tc.phase, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Type != metav1.RowCompleted || got[0].Status != metav1.ConditionTrue || got[0].Reason != tc.reason {
			t.Errorf("%s: got %+v, want one Completed=True condition with reason %s", tc.phase, got, tc.reason)
		}
	}
}

func TestPodTemplateCells(t *testing.T) {
	pt := &corev1.PodTemplate{ObjectMeta: objMeta("tmpl", time.Hour)}
	pt.Template.Labels = map[string]string{"app": "web", "tier": "front"}
	pt.Template.Spec.Containers = containers("web", "sidecar")
	checkCells(t, len(podTemplateColumns), podTemplateCells(pt, now),
		row{"tmpl", "web,sidecar", "web:1,sidecar:1", "app=web,tier=front"})
}
