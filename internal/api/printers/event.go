package printers

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var eventDoc = corev1.Event{}.SwaggerDoc()

// Events lead with LAST SEEN rather than NAME; the name comes last and only
// in wide output.
var eventColumns = []metav1.TableColumnDefinition{
	column("Last Seen", typeString, eventDoc["lastTimestamp"]),
	column("Type", typeString, eventDoc["type"]),
	column("Reason", typeString, eventDoc["reason"]),
	column("Object", typeString, eventDoc["involvedObject"]),
	wide("Subobject", typeString, corev1.ObjectReference{}.SwaggerDoc()["fieldPath"]),
	wide("Source", typeString, eventDoc["source"]),
	column("Message", typeString, eventDoc["message"]),
	wide("First Seen", typeString, eventDoc["firstTimestamp"]),
	wide("Count", typeString, eventDoc["count"]),
	{Name: "Name", Type: typeString, Format: "name", Priority: 1, Description: objectMetaDoc["name"]},
}

// eventCells is one row of `kubectl get events -o wide`. Events written
// through the newer events.k8s.io API carry eventTime and a series instead
// of first/last timestamps and a count; both shapes print alike.
func eventCells(ev *corev1.Event, now time.Time) []interface{} {
	first := age(ev.FirstTimestamp, now)
	if ev.FirstTimestamp.IsZero() {
		first = microAge(ev.EventTime, now)
	}
	last := age(ev.LastTimestamp, now)
	if ev.LastTimestamp.IsZero() {
		last = first
	}
	count := ev.Count
	switch {
	case ev.Series != nil:
		last = microAge(ev.Series.LastObservedTime, now)
		count = ev.Series.Count
	case count == 0:
		count = 1 // a singleton event has no count
	}
	return []interface{}{
		last,
		ev.Type,
		ev.Reason,
		kindName(ev.InvolvedObject.Kind, ev.InvolvedObject.Name),
		ev.InvolvedObject.FieldPath,
		eventSource(ev),
		strings.TrimSpace(ev.Message),
		first,
		int64(count),
		ev.Name,
	}
}

// eventSource prints "component, host", falling back to the reporting
// controller and instance of newer events.
func eventSource(ev *corev1.Event) string {
	component := firstNonEmpty(ev.Source.Component, ev.ReportingController)
	instance := firstNonEmpty(ev.Source.Host, ev.ReportingInstance)
	if instance == "" {
		return component
	}
	return component + ", " + instance
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
