package main

import (
	"fmt"

	"github.com/berth-project/berth/internal/apiserver"
	"github.com/spf13/cobra"
)

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print berth's version and the Kubernetes API version it serves",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "berth %s (Kubernetes API %s)\n", apiserver.BerthVersion, apiserver.GitVersion())
		},
	}
}
