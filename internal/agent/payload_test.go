package agent

import (
	"strings"
	"testing"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
)

func TestProjectKeys(t *testing.T) {
	data := map[string][]byte{"a": []byte("1"), "b": []byte("2")}
	out := map[string]volume.File{}
	if err := projectKeys(data, nil, false, 0o600, "configMap", out); err != nil || len(out) != 2 || out["a"].Mode != 0o600 {
		t.Fatalf("all keys: %v %v", out, err)
	}
	mode := int32(0o400)
	out = map[string]volume.File{}
	err := projectKeys(data, []corev1.KeyToPath{{Key: "b", Path: "dir/b.txt", Mode: &mode}}, false, 0o644, "configMap", out)
	if err != nil || len(out) != 1 || out["dir/b.txt"].Mode != 0o400 || string(out["dir/b.txt"].Data) != "2" {
		t.Fatalf("items: %v %v", out, err)
	}
	err = projectKeys(data, []corev1.KeyToPath{{Key: "zz", Path: "z"}}, false, 0o644, "configMap", map[string]volume.File{})
	if err == nil || !strings.Contains(err.Error(), "configMap references non-existent config key: zz") {
		t.Fatalf("missing key: %v", err)
	}
	if err := projectKeys(data, []corev1.KeyToPath{{Key: "zz", Path: "z"}}, true, 0o644, "secret", map[string]volume.File{}); err != nil {
		t.Fatalf("optional missing key: %v", err)
	}
}

func TestFormatMap(t *testing.T) {
	if got := formatMap(map[string]string{"b": "x\"y", "a": "1"}); got != "a=\"1\"\nb=\"x\\\"y\"" {
		t.Fatalf("%q", got)
	}
}
