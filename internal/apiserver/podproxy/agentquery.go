package podproxy

import (
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// logQuery is the agent's containerLogs query for o (the kubelet's names).
func logQuery(o *corev1.PodLogOptions) map[string][]string {
	q := map[string][]string{}
	setBool := func(k string, v bool) {
		if v {
			q[k] = []string{"true"}
		}
	}
	setInt := func(k string, v *int64) {
		if v != nil {
			q[k] = []string{strconv.FormatInt(*v, 10)}
		}
	}
	setBool("follow", o.Follow)
	setBool("previous", o.Previous)
	setBool("timestamps", o.Timestamps)
	setInt("sinceSeconds", o.SinceSeconds)
	setInt("tailLines", o.TailLines)
	setInt("limitBytes", o.LimitBytes)
	if o.SinceTime != nil {
		q["sinceTime"] = []string{o.SinceTime.UTC().Format(time.RFC3339)}
	}
	return q
}

// streamQuery is the agent's exec/attach query: the kubelet names the
// streams input, output and error, each "1" when wanted.
func streamQuery(stdin, stdout, stderr, tty bool, command []string) map[string][]string {
	q := map[string][]string{}
	for k, v := range map[string]bool{"input": stdin, "output": stdout, "error": stderr, "tty": tty} {
		if v {
			q[k] = []string{"1"}
		}
	}
	if len(command) > 0 {
		q["command"] = append([]string(nil), command...)
	}
	return q
}

// portForwardQuery is the agent's portForward query: the ports, comma
// separated, in "port" (only the websocket protocol needs them there).
func portForwardQuery(ports []int32) map[string][]string {
	if len(ports) == 0 {
		return map[string][]string{}
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return map[string][]string{"port": {strings.Join(s, ",")}}
}
