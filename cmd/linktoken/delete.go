package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDeleteCmd is a placeholder until its issue lands.
func newDeleteCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "delete",
		Short: "delete (not yet available)",
		RunE: func(*cobra.Command, []string) error {
			return usageError("%w", errors.New("delete is not implemented yet"))
		},
	}
}
