package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCheckCmd is a placeholder until its issue lands.
func newCheckCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "check (not yet available)",
		RunE: func(*cobra.Command, []string) error {
			return usageError("%w", errors.New("check is not implemented yet"))
		},
	}
}
