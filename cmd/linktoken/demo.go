package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDemoCmd is a placeholder until its issue lands.
func newDemoCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "demo (not yet available)",
		RunE: func(*cobra.Command, []string) error {
			return usageError("%w", errors.New("demo is not implemented yet"))
		},
	}
}
