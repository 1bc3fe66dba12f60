package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Raw keys live beside the API's /registry/ tree in the same etcd, laid out
// the same way (/<prefix>/configmaps/<namespace>/<name>), so range reads on
// both sides walk similar keys.
const rawPrefix = "/bench/configmaps/"

// env is everything a measurement needs: the server, a client-go clientset,
// an etcd client on the server's embedded etcd, and the value raw writes
// store.
type env struct {
	srv  *server
	cfg  *rest.Config
	cs   kubernetes.Interface
	etcd *clientv3.Client
	// value is the exact protobuf bytes the API server stored for a sample
	// ConfigMap, so raw writes carry a value of the same size and shape.
	value string
}

func newEnv(ctx context.Context, s *server) (*env, error) {
	e := &env{srv: s}
	var err error
	if e.cfg, err = s.restConfig(); err != nil {
		return nil, err
	}
	if e.cs, err = kubernetes.NewForConfig(e.cfg); err != nil {
		return nil, err
	}
	e.etcd, err = clientv3.New(clientv3.Config{Endpoints: []string{s.etcdEndpoint()}, DialTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	// A warm-up object opens the connections and gives the raw value.
	if err := e.namespace(ctx, "bench-warm"); err != nil {
		return nil, err
	}
	if err := e.apiCreate(ctx, "bench-warm", "cm-00000"); err != nil {
		return nil, err
	}
	resp, err := e.etcd.Get(ctx, "/registry/configmaps/bench-warm/cm-00000")
	if err != nil {
		return nil, err
	}
	if len(resp.Kvs) != 1 {
		return nil, fmt.Errorf("stored ConfigMap not found under /registry/configmaps/")
	}
	e.value = string(resp.Kvs[0].Value)
	return e, nil
}

func (e *env) close() {
	if e.etcd != nil {
		_ = e.etcd.Close()
	}
}

func (e *env) namespace(ctx context.Context, name string) error {
	_, err := e.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	return err
}

func cmName(i int) string { return fmt.Sprintf("cm-%05d", i) }

// configMap is a small but not trivial object: a label, an annotation and
// 512 bytes of data, about what an application's config looks like.
func configMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      map[string]string{"app": "bench"},
			Annotations: map[string]string{"bench.berth.dev/purpose": "throughput"},
		},
		Data: map[string]string{"config.yaml": strings.Repeat("x", 512)},
	}
}

func (e *env) apiCreate(ctx context.Context, ns, name string) error {
	_, err := e.cs.CoreV1().ConfigMaps(ns).Create(ctx, configMap(name), metav1.CreateOptions{})
	return err
}

func rawKey(ns, name string) string { return rawPrefix + ns + "/" + name }

// etcdCreate writes a key only if it does not exist, the same transaction
// the API's storage layer issues for a create, so both sides pay for a
// compare and a put.
func (e *env) etcdCreate(ctx context.Context, ns, name string) error {
	key := rawKey(ns, name)
	resp, err := e.etcd.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, e.value)).
		Commit()
	if err != nil {
		return err
	}
	if !resp.Succeeded {
		return fmt.Errorf("%s already exists", key)
	}
	return nil
}

// populate creates n objects on both sides with `workers` concurrent
// clients, alternating API and etcd in `rounds` equal chunks. apiOnly skips
// the etcd side (used when memory is measured between the two).
func (e *env) populate(ctx context.Context, ns string, n, workers, rounds int, apiOnly bool) (pair, error) {
	var p pair
	chunk := n / rounds
	for r := range rounds {
		from := r * chunk
		if err := e.srv.batch(&p.api, from, chunk, workers, func(i int) error { return e.apiCreate(ctx, ns, cmName(i)) }); err != nil {
			return p, fmt.Errorf("api create: %w", err)
		}
		if apiOnly {
			continue
		}
		if err := e.srv.batch(&p.etcd, from, chunk, workers, func(i int) error { return e.etcdCreate(ctx, ns, cmName(i)) }); err != nil {
			return p, fmt.Errorf("etcd create: %w", err)
		}
	}
	return p, nil
}
