package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newDeleteCmd(e *env) *cobra.Command {
	var flags clientFlags
	var force bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Remove the organization's link-token",
		Long: `Remove the organization's link, which invalidates its link-token. Asks for
confirmation, showing the organization, unless --force is given; refuses without
--force when stdin is not a terminal.

Like "atlas liveMigrations link delete".`,
		Example: `  linktoken delete --orgId 4888442a3354817a7320eb61
  linktoken delete --orgId 4888442a3354817a7320eb61 --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			org, err := flags.org(e)
			if err != nil {
				return err
			}
			// Settle the configuration before asking anything.
			c, err := flags.client(e)
			if err != nil {
				return err
			}
			defer c.CloseIdleConnections()
			if !force {
				if !e.stdinIsTerminal() {
					return usageError("refusing to delete the link-token of organization %s without --force: stdin is not a terminal", org)
				}
				fmt.Fprintf(e.stderr, "Are you sure you want to delete the link-token of organization %s? [y/N] ", org)
				answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
				switch strings.ToLower(strings.TrimSpace(answer)) {
				case "y", "yes":
				default:
					fmt.Fprintln(e.stderr, "Nothing deleted.")
					return nil
				}
			}
			ctx, cancel := e.interruptContext(context.Background())
			defer cancel()
			if err := c.DeleteLinkToken(ctx, org); err != nil {
				return flags.callError(e, err)
			}
			fmt.Fprintln(e.stdout, "Link-token deleted")
			return nil
		},
	}
	flags.register(cmd, "a remove that timed out is tried again, as removing twice does no harm")
	cmd.Flags().BoolVar(&force, "force", false, "delete without asking for confirmation")
	return cmd
}
