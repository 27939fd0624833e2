package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// deleteOptions are delete's flags.
type deleteOptions struct {
	flags clientFlags
	force bool
}

func newDeleteCmd(e *env) *cobra.Command {
	o := &deleteOptions{}
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
		RunE: func(*cobra.Command, []string) error {
			org, c, err := o.validate(e)
			if err != nil {
				return err
			}
			defer c.CloseIdleConnections()
			if proceed, err := confirmed(e, o.force, "delete the link-token of organization "+org,
				"Are you sure you want to delete the link-token of organization "+org+"?", "Nothing deleted."); !proceed {
				return err
			}
			return o.run(e, c, org)
		},
	}
	o.flags.register(cmd, "a remove that timed out is tried again, as removing twice does no harm")
	cmd.Flags().BoolVar(&o.force, "force", false, "delete without asking for confirmation")
	return cmd
}

// validate checks the flags and builds the client, so the configuration
// is settled before anything is asked; nothing is sent.
func (o *deleteOptions) validate(e *env) (org string, c *atlas.Client, err error) {
	if org, err = o.flags.org(e); err != nil {
		return "", nil, err
	}
	c, err = o.flags.client(e)
	return org, c, err
}

// run removes the organization's link.
func (o *deleteOptions) run(e *env, c *atlas.Client, org string) error {
	ctx, cancel := e.interruptContext(context.Background())
	defer cancel()
	if err := c.DeleteLinkToken(ctx, org); err != nil {
		return o.flags.callError(e, err)
	}
	_, err := fmt.Fprintln(e.stdout, "Link-token deleted")
	return err
}
