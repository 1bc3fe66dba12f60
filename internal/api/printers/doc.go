// Package printers turns stored objects into meta.k8s.io/v1 Table responses,
// the server-side printing that `kubectl get` asks for with
// "Accept: application/json;as=Table;g=meta.k8s.io;v=v1".
//
// Without it kubectl can only print NAME and AGE. With it every served kind
// gets the columns a real Kubernetes API server returns: pods with
// READY/STATUS/RESTARTS, services with CLUSTER-IP/EXTERNAL-IP/PORT(S), claims
// and volumes with their binding state, workloads with their replica counts,
// and so on. Columns of priority 1 are the extra ones `kubectl get -o wide`
// shows; like Kubernetes, the server always fills every column and kubectl
// hides the wide ones unless asked.
//
// Each kind is described by a column list and a pure function from one v1
// object (k8s.io/api) and the current time to its row cells, so the printing
// rules can be tested against what kubectl shows without a server. ForResource
// wraps those into the rest.TableConvertor that k8s.io/apiserver's generic
// registry calls for GET, LIST and WATCH.
package printers
