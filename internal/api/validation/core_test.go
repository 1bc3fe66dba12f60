package validation

import (
	"strings"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateNamespace(t *testing.T) {
	valid := func() *corev1.Namespace {
		return defaulted(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}})
	}
	runCreateCases(t, valid, []createCase[*corev1.Namespace]{
		{name: "valid"},
		{name: "name must be a DNS label", mutate: func(n *corev1.Namespace) { n.Name = "team.a" }, want: []want{inv("metadata.name")}},
		{name: "namespace field forbidden", mutate: func(n *corev1.Namespace) { n.Namespace = "x" }, want: []want{forbidden("metadata.namespace")}},
		{name: "unqualified spec finalizer", mutate: func(n *corev1.Namespace) { n.Spec.Finalizers = append(n.Spec.Finalizers, "cleanup") },
			want: []want{inv("spec.finalizers")}},
		{name: "qualified spec finalizer", mutate: func(n *corev1.Namespace) { n.Spec.Finalizers = append(n.Spec.Finalizers, "example.com/cleanup") }},
	})
	runUpdateCases(t, valid, func(n *corev1.Namespace) *corev1.Namespace { return n.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*corev1.Namespace]{
			{name: "active"},
			{name: "terminating without deletion", mutate: func(n *corev1.Namespace) { n.Status.Phase = corev1.NamespaceTerminating },
				want: []want{inv("status.Phase")}},
		})
}

func TestValidateNode(t *testing.T) {
	valid := func() *corev1.Node {
		return defaulted(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node1"}, Spec: corev1.NodeSpec{
			PodCIDRs: []string{"10.244.1.0/24"},
			Taints:   []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}},
		}, Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")}}})
	}
	runCreateCases(t, valid, []createCase[*corev1.Node]{
		{name: "valid"},
		{name: "bad pod CIDR", mutate: func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.244.1.0/33"} }, want: []want{inv("spec.podCIDRs[0]")}},
		{name: "two IPv4 pod CIDRs", mutate: func(n *corev1.Node) { n.Spec.PodCIDRs = append(n.Spec.PodCIDRs, "10.245.1.0/24") }, want: []want{inv("spec.podCIDRs")}},
		{name: "taint effect unknown", mutate: func(n *corev1.Node) { n.Spec.Taints[0].Effect = "Evict" }, want: []want{unsup("metadata.taints[0].effect")}},
		{name: "duplicate taint", mutate: func(n *corev1.Node) { n.Spec.Taints = append(n.Spec.Taints, n.Spec.Taints[0]) }, want: []want{dup("metadata.taints[1]")}},
		{name: "fractional pods capacity", mutate: func(n *corev1.Node) { n.Status.Capacity[corev1.ResourcePods] = resource.MustParse("1.5") },
			want: []want{inv("status.capacity.pods")}},
	})
	runUpdateCases(t, valid, func(n *corev1.Node) *corev1.Node { return n.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.Node]{
			{name: "cordon", mutate: func(n *corev1.Node) { n.Spec.Unschedulable = true }},
			{name: "pod CIDR fixed once set", mutate: func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.244.2.0/24"} }, want: []want{forbidden("spec.podCIDRs")}},
			{name: "providerID fixed once set", old: func(n *corev1.Node) { n.Spec.ProviderID = "berth://node1" },
				mutate: func(n *corev1.Node) { n.Spec.ProviderID = "berth://node2" }, want: []want{forbidden("spec.providerID")}},
			{name: "duplicate addresses", mutate: func(n *corev1.Node) {
				a := corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: "10.0.0.2"}
				n.Status.Addresses = []corev1.NodeAddress{a, a}
			}, want: []want{dup("status.addresses[1]")}},
		})
}

func TestValidateConfigMap(t *testing.T) {
	valid := func() *corev1.ConfigMap {
		return defaulted(&corev1.ConfigMap{ObjectMeta: meta("cfg"), Data: map[string]string{"app.conf": "x=1"}, BinaryData: map[string][]byte{"logo.png": {1}}})
	}
	runCreateCases(t, valid, []createCase[*corev1.ConfigMap]{
		{name: "valid"},
		{name: "bad key", mutate: func(c *corev1.ConfigMap) { c.Data["a/b"] = "x" }, want: []want{inv("data[a/b]")}},
		{name: "key in both maps", mutate: func(c *corev1.ConfigMap) { c.Data["logo.png"] = "x" }, want: []want{inv("data[logo.png]")}},
		{name: "too large", mutate: func(c *corev1.ConfigMap) { c.Data["big"] = strings.Repeat("x", corev1.MaxSecretSize) }, want: []want{tooLong("[]")}}, // Kubernetes' path for "the whole object"
	})
	immutableCM := func(c *corev1.ConfigMap) { c.Immutable = ptr(true) }
	runUpdateCases(t, valid, func(c *corev1.ConfigMap) *corev1.ConfigMap { return c.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.ConfigMap]{
			{name: "data may change", mutate: func(c *corev1.ConfigMap) { c.Data["app.conf"] = "x=2" }},
			{name: "immutable data", old: immutableCM, mutate: func(c *corev1.ConfigMap) { c.Data["app.conf"] = "x=2" }, want: []want{forbidden("data")}},
			{name: "immutable stays", old: immutableCM, mutate: func(c *corev1.ConfigMap) { c.Immutable = nil }, want: []want{forbidden("immutable")}},
			{name: "immutable labels may change", old: immutableCM, mutate: func(c *corev1.ConfigMap) { c.Labels = map[string]string{"a": "b"} }},
		})
}

func TestValidateSecret(t *testing.T) {
	valid := func() *corev1.Secret {
		return defaulted(&corev1.Secret{ObjectMeta: meta("creds"), StringData: map[string]string{"password": "hunter2"}})
	}
	runCreateCases(t, valid, []createCase[*corev1.Secret]{
		{name: "valid"},
		{name: "bad key", mutate: func(s *corev1.Secret) { s.Data["bad key"] = nil }, want: []want{inv("data[bad key]")}},
		{name: "TLS needs cert and key", mutate: func(s *corev1.Secret) { s.Type = corev1.SecretTypeTLS }, want: []want{req("data[tls.crt]"), req("data[tls.key]")}},
		{name: "dockerconfigjson must be JSON", mutate: func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeDockerConfigJson
			s.Data[corev1.DockerConfigJsonKey] = []byte("{")
		}, want: []want{inv("data[.dockerconfigjson]")}},
		{name: "token secret names its account", mutate: func(s *corev1.Secret) { s.Type = corev1.SecretTypeServiceAccountToken },
			want: []want{req("metadata.annotations[kubernetes.io/service-account.name]")}},
		{name: "basic-auth needs a user or password", mutate: func(s *corev1.Secret) { s.Type = corev1.SecretTypeBasicAuth; delete(s.Data, "password") },
			want: []want{req("data[username]"), req("data[password]")}},
	})
	runUpdateCases(t, valid, func(s *corev1.Secret) *corev1.Secret { return s.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.Secret]{
			{name: "rotate", mutate: func(s *corev1.Secret) { s.Data["password"] = []byte("new") }},
			{name: "type immutable", mutate: func(s *corev1.Secret) { s.Type = "example.com/custom" }, want: []want{inv("type")}},
			{name: "immutable data", old: func(s *corev1.Secret) { s.Immutable = ptr(true) },
				mutate: func(s *corev1.Secret) { s.Data["password"] = []byte("new") }, want: []want{forbidden("data")}},
		})
}

func TestValidateServiceAccount(t *testing.T) {
	runCreateCases(t, func() *corev1.ServiceAccount { return defaulted(&corev1.ServiceAccount{ObjectMeta: meta("builder")}) },
		[]createCase[*corev1.ServiceAccount]{
			{name: "valid"},
			{name: "bad name", mutate: func(s *corev1.ServiceAccount) { s.Name = "Builder" }, want: []want{inv("metadata.name")}},
		})
}

func TestValidateEvent(t *testing.T) {
	valid := func() *corev1.Event {
		return defaulted(&corev1.Event{ObjectMeta: meta("web.17a"), InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web"},
			Reason: "Started", Message: "Started container", Type: corev1.EventTypeNormal})
	}
	runCreateCases(t, valid, []createCase[*corev1.Event]{
		{name: "valid"},
		{name: "namespace mismatch", mutate: func(e *corev1.Event) { e.InvolvedObject.Namespace = "other" }, want: []want{inv("involvedObject.namespace")}},
		{name: "cluster object event in default", mutate: func(e *corev1.Event) { e.InvolvedObject = corev1.ObjectReference{Kind: "Node", Name: "node1"} }},
		{name: "cluster object event elsewhere", mutate: func(e *corev1.Event) {
			e.InvolvedObject = corev1.ObjectReference{Kind: "Node", Name: "node1"}
			e.Namespace = "kube-public"
		}, want: []want{inv("involvedObject.namespace")}},
		{name: "new-style event needs reporting fields", mutate: func(e *corev1.Event) {
			e.EventTime = metav1.NewMicroTime(metav1.Now().Time)
			// As in Kubernetes, an empty controller also fails the name format twice.
		}, want: []want{req("reportingController"), inv("reportingController"), inv("reportingController"), req("reportingInstance"), req("action")}},
	})
}

func TestValidateLease(t *testing.T) {
	valid := func() *coordinationv1.Lease {
		return defaulted(&coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "node1", Namespace: "kube-node-lease"},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr("node1"), LeaseDurationSeconds: ptr(int32(40))}})
	}
	runCreateCases(t, valid, []createCase[*coordinationv1.Lease]{
		{name: "valid"},
		{name: "duration positive", mutate: func(l *coordinationv1.Lease) { l.Spec.LeaseDurationSeconds = ptr(int32(0)) }, want: []want{inv("spec.leaseDurationSeconds")}},
		{name: "transitions non-negative", mutate: func(l *coordinationv1.Lease) { l.Spec.LeaseTransitions = ptr(int32(-1)) }, want: []want{inv("spec.leaseTransitions")}},
		{name: "preferred holder needs strategy", mutate: func(l *coordinationv1.Lease) { l.Spec.PreferredHolder = ptr("node2") },
			want: []want{forbidden("spec.preferredHolder")}},
		{name: "unknown strategy", mutate: func(l *coordinationv1.Lease) {
			l.Spec.Strategy = ptr(coordinationv1.CoordinatedLeaseStrategy("Newest"))
		},
			want: []want{unsup("spec.strategy")}},
	})
	runUpdateCases(t, valid, func(l *coordinationv1.Lease) *coordinationv1.Lease { return l.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*coordinationv1.Lease]{
			{name: "renew", mutate: func(l *coordinationv1.Lease) { l.Spec.RenewTime = ptr(metav1.NowMicro()) }},
			{name: "namespace immutable", mutate: func(l *coordinationv1.Lease) { l.Namespace = "default" }, want: []want{inv("metadata.namespace")}},
		})
}

func TestValidatePodTemplate(t *testing.T) {
	runCreateCases(t, func() *corev1.PodTemplate {
		return defaulted(&corev1.PodTemplate{ObjectMeta: meta("tpl"), Template: validTemplate()})
	}, []createCase[*corev1.PodTemplate]{
		{name: "valid"},
		{name: "template spec validated", mutate: func(p *corev1.PodTemplate) { p.Template.Spec.Containers = nil }, want: []want{req("template.spec.containers")}},
	})
}

func TestDispatch(t *testing.T) {
	if errs := ValidateCreate(&policyv1.PodDisruptionBudget{}); errs != nil {
		t.Errorf("unknown kind validated: %v", errs)
	}
	if errs := ValidateUpdate(&policyv1.PodDisruptionBudget{}, &policyv1.PodDisruptionBudget{}); errs != nil {
		t.Errorf("unknown kind update validated: %v", errs)
	}
	if errs := ValidateStatusUpdate(&policyv1.PodDisruptionBudget{}, &policyv1.PodDisruptionBudget{}); errs != nil {
		t.Errorf("unknown kind status update validated: %v", errs)
	}
	errs := ValidateUpdate(validPod(), validService())
	expectErrs(t, errs, want{field.ErrorTypeInternal, "[]"})
	// Kinds without a status subresource fall back to update validation.
	cm := defaulted(&corev1.ConfigMap{ObjectMeta: meta("cfg")})
	cm.ResourceVersion = "1"
	renamed := cm.DeepCopy()
	renamed.Name = "other"
	expectErrs(t, ValidateStatusUpdate(renamed, cm), inv("metadata.name"))
}

// Validation must not change what it looks at.
func TestValidationDoesNotMutate(t *testing.T) {
	objs := []runtime.Object{validPod(), validService(), validDeployment(), validStatefulSet(), validPVC(), validPV(), validIngress(), validSlice()}
	for _, o := range objs {
		before := o.DeepCopyObject()
		ValidateCreate(o)
		ValidateUpdate(o, before.DeepCopyObject())
		ValidateStatusUpdate(o, before.DeepCopyObject())
		if !equalObjects(before, o) {
			t.Errorf("%T mutated by validation", o)
		}
	}
}
