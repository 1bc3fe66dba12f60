package main

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/berth-project/berth/internal/runtime/image"
	"github.com/spf13/cobra"
)

func imageCommand() *cobra.Command {
	rootDir := "/var/lib/berth/agent"
	cmd := &cobra.Command{Use: "image", Short: "Manage the images of this node's agent"}
	cmd.PersistentFlags().StringVar(&rootDir, "root-dir", rootDir, "the agent's root directory")
	open := func() (*image.Store, error) { return image.New(filepath.Join(rootDir, "images"), image.Options{}) }
	cmd.AddCommand(&cobra.Command{
		Use:   "load FILE.tar...",
		Short: "Load images from docker-save or OCI-layout tarballs",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := open()
			if err != nil {
				return err
			}
			for _, f := range args {
				imgs, err := s.Load(cmd.Context(), f)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				for _, img := range imgs {
					fmt.Fprintf(cmd.OutOrStdout(), "loaded %v (%s)\n", img.RepoTags, img.ID)
				}
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "ls",
		Short: "List images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := open()
			if err != nil {
				return err
			}
			imgs, err := s.List()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "IMAGE\tID\tSIZE")
			for _, img := range imgs {
				for _, t := range img.RepoTags {
					fmt.Fprintf(tw, "%s\t%.19s\t%d\n", t, img.ID, img.Size)
				}
			}
			return tw.Flush()
		},
	})
	return cmd
}
