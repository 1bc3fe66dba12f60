package printers

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// objectMetaDoc holds the API documentation of metadata fields; Kubernetes
// uses it as the description of the NAME and AGE columns.
var objectMetaDoc = metav1.ObjectMeta{}.SwaggerDoc()

// Column types as the Table API spells them. Kubernetes declares most
// numeric-looking columns as "string" and only some as "integer"; kubectl
// does not care, but clients that sort by type might, so each kind keeps the
// type Kubernetes gives it.
const (
	typeString  = "string"
	typeInteger = "integer"
)

// nameColumn is the NAME column every kind starts with; format "name" tells
// clients it identifies the row.
var nameColumn = metav1.TableColumnDefinition{
	Name: "Name", Type: typeString, Format: "name", Description: objectMetaDoc["name"],
}

// ageColumn is the AGE column: time since creation, rendered by the server.
var ageColumn = column("Age", typeString, objectMetaDoc["creationTimestamp"])

// column defines a regular column, shown by plain `kubectl get`.
func column(name, typ, description string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Description: description}
}

// wide defines a priority 1 column, shown only by `kubectl get -o wide`.
func wide(name, typ, description string) metav1.TableColumnDefinition {
	c := column(name, typ, description)
	c.Priority = 1
	return c
}

// Descriptions shared by the workload kinds.
const (
	containersDoc = "Names of each container in the template."
	imagesDoc     = "Images referenced by each container in the template."
)
