package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// DefaultName is the cluster name when none is given.
const DefaultName = "berth"

// MaxNodes bounds --nodes: node addresses are .10 … .209 of the /24, and
// host veth names must stay within 15 bytes.
const MaxNodes = 200

// maxNameLen keeps node names, contexts and netns names comfortable.
const maxNameLen = 40

// linkAliasPrefix marks the bridge and veths as a cluster's (IFLA_IFALIAS).
const linkAliasPrefix = "berth-cluster:"

// ValidateName accepts DNS-1123 labels of at most 40 characters: the name
// becomes part of node names, network namespace names and a context name.
func ValidateName(name string) error {
	if len(name) > maxNameLen {
		return fmt.Errorf("cluster name %q is longer than %d characters", name, maxNameLen)
	}
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return fmt.Errorf("invalid cluster name %q: %s", name, strings.Join(errs, "; "))
	}
	return nil
}

// nameHash is 8 hex characters of sha256(name): short link names that are
// derived, not stored, so delete finds them without any state.
func nameHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:4])
}

// BridgeName is the underlay bridge of a cluster: "bth-" + hash (12 bytes).
func BridgeName(cluster string) string { return "bth-" + nameHash(cluster) }

// HostVethName is the bridge-side end of node i's veth: "bth" + hash + "-" +
// i, at most 15 bytes for i < 1000.
func HostVethName(cluster string, i int) string {
	return "bth" + nameHash(cluster) + "-" + strconv.Itoa(i)
}

// linkAlias labels the bridge and the veths of a cluster.
func linkAlias(cluster string) string { return linkAliasPrefix + cluster }

// aliasOwned reports whether a link with this alias may be deleted as the
// cluster's: labelled for it, or unlabelled (a crash between creating the
// link and labelling it; the name already carries the cluster's hash).
func aliasOwned(alias, cluster string) bool { return alias == "" || alias == linkAlias(cluster) }

// NodeNetNS is the network namespace of node i: "berth-NAME-nodeI".
func NodeNetNS(cluster string, i int) string { return fmt.Sprintf("berth-%s-node%d", cluster, i) }

// NodeName is the Kubernetes node name of node i: "NAME-nodeI".
func NodeName(cluster string, i int) string { return fmt.Sprintf("%s-node%d", cluster, i) }

// ContextName is the kubeconfig context (and cluster and user) name.
func ContextName(cluster string) string { return "berth-" + cluster }

// parseNodeNetNS returns the node index of a network namespace name of the
// cluster, or ok=false for any other name.
func parseNodeNetNS(cluster, nsName string) (int, bool) {
	rest, ok := strings.CutPrefix(nsName, "berth-"+cluster+"-node")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 || strconv.Itoa(i) != rest {
		return 0, false
	}
	return i, true
}
