package main

import (
	"os"

	"github.com/berth-project/berth/internal/server"
	"github.com/spf13/cobra"
)

func kubeconfigCommand() *cobra.Command {
	dataDir := server.DefaultOptions().DataDir
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print the admin kubeconfig of the server on this machine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(server.AdminKubeconfig(dataDir))
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", dataDir, "the server's data directory")
	return cmd
}
