package agent

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestLocalStorageCapacity(t *testing.T) {
	t.Setenv("BERTH_STORAGE_CAPACITY", "")
	if n, err := localStorageCapacity("20Gi", t.TempDir()); err != nil || n != 20<<30 {
		t.Fatalf("flag: %d %v", n, err)
	}
	if n, err := localStorageCapacity("", t.TempDir()); err != nil || n <= 0 {
		t.Fatalf("statfs: %d %v", n, err)
	}
	t.Setenv("BERTH_STORAGE_CAPACITY", "512Mi")
	if n, err := localStorageCapacity("", t.TempDir()); err != nil || n != 512<<20 {
		t.Fatalf("env: %d %v", n, err)
	}
	for _, bad := range []string{"lots", "-1Gi", "0"} {
		if _, err := localStorageCapacity(bad, t.TempDir()); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNodeStatusPublishesLocalStorage(t *testing.T) {
	st := desiredNodeStatus(Config{NodeName: "n1"}, hostInfo{cpus: 1, localStorage: 10 << 30}, "v1", metav1.Now(), nil)
	for _, l := range []map[string]int64{{"c": st.Capacity.Name(ResourceLocalStorage, "").Value()}, {"a": st.Allocatable.Name(ResourceLocalStorage, "").Value()}} {
		for k, v := range l {
			if v != 10<<30 {
				t.Errorf("%s: %d", k, v)
			}
		}
	}
}
