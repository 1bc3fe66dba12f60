package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/berth-project/berth/internal/cluster"
	"github.com/spf13/cobra"
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func clusterCommand() *cobra.Command {
	var stateRoot, runRoot string
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Create, delete and list whole clusters on this machine, one network namespace per node",
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&stateRoot, "state-dir", envOr("BERTH_STATE_DIR", cluster.DefaultStateRoot), "directory holding one state directory per cluster (env BERTH_STATE_DIR)")
	pf.StringVar(&runRoot, "run-dir", envOr("BERTH_RUN_DIR", cluster.DefaultRunRoot), "directory holding the nodes' runtime directories (env BERTH_RUN_DIR)")
	_ = pf.MarkHidden("run-dir")

	o := cluster.CreateOptions{Nodes: 1, Wait: 120 * time.Second}
	create := &cobra.Command{
		Use:   "create [NAME]",
		Short: "Create a cluster (default name \"berth\") in the current network namespace",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Name = args[0]
			}
			o.StateRoot, o.RunRoot, o.Out = stateRoot, runRoot, cmd.OutOrStdout()
			return cluster.Create(cmd.Context(), o)
		},
	}
	f := create.Flags()
	f.IntVar(&o.Nodes, "nodes", o.Nodes, "number of nodes; node 0 runs the control plane")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig to add the berth-NAME context to (default $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&o.ImagesDir, "images", "", "directory of image tarballs (*.tar) to load into every node (default: build the demo images)")
	f.BoolVar(&o.NoAgent, "no-agent", false, "run the control plane without node agents and wait only for the API")
	f.StringVar(&o.PodNetwork, "pod-network", "vxlan", "how pods reach pods on other nodes: vxlan or host-gw (plain routes; the nodes share one L2 segment)")
	f.DurationVar(&o.Wait, "wait", o.Wait, "how long to wait for the API and Ready nodes")
	f.StringVar(&o.Subnet, "subnet", "", "underlay /24 (default: the first free one of "+cluster.UnderlayPool+")")
	f.BoolVar(&o.Retain, "retain", false, "keep what a failed create made, for debugging")
	f.StringArrayVar(&o.ServerArgs, "server-arg", nil, "extra argument for node 0's berth server, e.g. --server-arg=--node-monitor-grace-period=10s (repeatable)")
	f.StringArrayVar(&o.AgentArgs, "agent-arg", nil, "extra argument for the other nodes' berth agent, e.g. --agent-arg=--node-lease-duration-seconds=8 (repeatable)")
	f.StringVar(&o.ProxyMode, "proxy-mode", "", "service proxy dataplane of every node: nftables or iptables (default nftables)")
	f.StringVar(&o.ProxyBalance, "proxy-balance", "", "every node's default Service backend choice: round-robin or random (default round-robin)")

	del := &cobra.Command{
		Use:   "delete [NAME...]",
		Short: "Delete clusters (default \"berth\"): processes, mounts, namespaces, links, context, state",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{cluster.DefaultName}
			}
			for _, name := range args {
				if err := cluster.Delete(cmd.Context(), cluster.DeleteOptions{Name: name, StateRoot: stateRoot, RunRoot: runRoot, Out: cmd.OutOrStdout()}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Deleted cluster %q\n", name)
			}
			return nil
		},
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List clusters with their node count, underlay subnet and API URL",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			clusters, err := cluster.List(stateRoot)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tNODES\tSUBNET\tAPI\tSTATUS")
			for _, c := range clusters {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", c.Name, c.Nodes, c.Subnet, c.APIServer, c.Status)
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(create, del, list, nodeCommand(&stateRoot, &runRoot))
	return cmd
}

// nodeCommand is `berth cluster node add|stop|start|isolate|heal`:
// stopping a node's berth process leaves its pods running, as a kubelet
// restart does; isolating it cuts its network, as a pulled cable.
func nodeCommand(stateRoot, runRoot *string) *cobra.Command {
	cmd := &cobra.Command{Use: "node", Short: "Add, stop, start, isolate and heal the nodes of a cluster"}
	var kill bool
	stop := &cobra.Command{
		Use:   "stop CLUSTER NODE",
		Short: "Stop a node's berth process (its pods keep running)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cluster.StopNode(cmd.Context(), cluster.NodeOptions{Name: args[0], Node: args[1], StateRoot: *stateRoot, RunRoot: *runRoot, Kill: kill})
		},
	}
	stop.Flags().BoolVar(&kill, "kill", false, "SIGKILL at once, as a crash")
	start := &cobra.Command{
		Use:   "start CLUSTER NODE",
		Short: "Start a stopped node's berth process again",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cluster.StartNode(cmd.Context(), cluster.NodeOptions{Name: args[0], Node: args[1], StateRoot: *stateRoot, RunRoot: *runRoot})
		},
	}
	wait := 120 * time.Second
	add := &cobra.Command{
		Use:   "add CLUSTER",
		Short: "Add a node: a new node namespace whose agent joins the cluster; returns when it is Ready",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := cluster.AddNode(cmd.Context(), cluster.AddNodeOptions{Name: args[0], StateRoot: *stateRoot, RunRoot: *runRoot, Wait: wait, Out: cmd.OutOrStdout()})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Node %s (%s) is Ready\n", n.Name, n.IP)
			return nil
		},
	}
	add.Flags().DurationVar(&wait, "wait", wait, "how long to wait for the node to be Ready")
	isolate := &cobra.Command{
		Use:   "isolate CLUSTER NODE",
		Short: "Cut a node off the underlay network (its processes keep running)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cluster.IsolateNode(cmd.Context(), cluster.NodeOptions{Name: args[0], Node: args[1], StateRoot: *stateRoot, RunRoot: *runRoot})
		},
	}
	heal := &cobra.Command{
		Use:   "heal CLUSTER NODE",
		Short: "Connect an isolated node to the underlay again",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cluster.HealNode(cmd.Context(), cluster.NodeOptions{Name: args[0], Node: args[1], StateRoot: *stateRoot, RunRoot: *runRoot})
		},
	}
	cmd.AddCommand(add, stop, start, isolate, heal)
	return cmd
}
