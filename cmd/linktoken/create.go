package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCreateCmd is a placeholder until its issue lands.
func newCreateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "create",
		Short: "create (not yet available)",
		RunE: func(*cobra.Command, []string) error {
			return usageError("%w", errors.New("create is not implemented yet"))
		},
	}
}
