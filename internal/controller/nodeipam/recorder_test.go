package nodeipam

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
)

// fakeRecorder keeps events as "type reason name: message"; sync runs on the
// test goroutine, so no locking is needed.
type fakeRecorder struct {
	record.FakeRecorder
	events []string
}

func (f *fakeRecorder) Event(obj runtime.Object, typ, reason, msg string) {
	name := ""
	if o, ok := obj.(interface{ GetName() string }); ok {
		name = o.GetName()
	}
	f.events = append(f.events, fmt.Sprintf("%s %s %s: %s", typ, reason, name, msg))
}
