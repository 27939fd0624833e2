package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newServeCmd is a placeholder until its issue lands.
func newServeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "serve (not yet available)",
		RunE: func(*cobra.Command, []string) error {
			return usageError("%w", errors.New("serve is not implemented yet"))
		},
	}
}
