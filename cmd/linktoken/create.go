package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// createOptions are create's flags.
type createOptions struct {
	flags      clientFlags
	accessList []string
	output     *outputFlag
}

func newCreateCmd(e *env) *cobra.Command {
	o := &createOptions{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a link-token for a Cloud Manager or Ops Manager organization to migrate into Atlas",
		Long: `Create a link-token for the organization. The token is printed: it is what the source
organization needs. It is a secret (it carries an API key); keep it out of logs.

Like "atlas liveMigrations link create".`,
		Example: `  linktoken create --orgId 4888442a3354817a7320eb61 --accessListIp 192.0.2.10,10.0.0.0/24
  linktoken create --orgId 4888442a3354817a7320eb61 -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			org, c, err := o.validate(e)
			if err != nil {
				return err
			}
			defer c.CloseIdleConnections()
			return o.run(e, c, org)
		},
	}
	o.flags.register(cmd, "a create that timed out may have been carried out, so it is not repeated")
	cmd.Flags().StringSliceVar(&o.accessList, "accessListIp", nil, "IP addresses or CIDR blocks the token's API key admits, comma-separated (alias --access-list-ip)")
	o.output = addOutputFlag(cmd, "text", "json")
	return cmd
}

// validate checks the flags and builds the client; nothing is sent.
func (o *createOptions) validate(e *env) (org string, c *atlas.Client, err error) {
	if org, err = o.flags.org(e); err != nil {
		return "", nil, err
	}
	o.accessList = trimAll(o.accessList)
	if err := atlas.CheckAccessList(o.accessList); err != nil {
		return "", nil, usageError("--accessListIp: %w", err)
	}
	c, err = o.flags.client(e)
	return org, c, err
}

// run creates the organization's link-token and prints it.
func (o *createOptions) run(e *env, c *atlas.Client, org string) error {
	ctx, cancel := e.interruptContext(context.Background())
	defer cancel()
	tok, err := c.CreateLinkToken(ctx, org, o.accessList...)
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return apiError(fmt.Errorf("%w\nno answer within --timeout %s; the create may have been carried out, so it was not repeated", err, o.flags.timeout))
	}
	if err != nil {
		return o.flags.callError(e, err)
	}
	// Printing the token is the point of create, so it is revealed here
	// and nowhere else.
	if o.output.format == "json" {
		return writeJSON(e.stdout, struct {
			LinkToken string `json:"linkToken"`
		}{tok.Reveal()})
	}
	// A real token is base64; anything a terminal would act on (ESC, line
	// breaks) came from a faulty or hostile server and is shown escaped.
	shown := safetext.Line(tok.Reveal())
	if shown != tok.Reveal() {
		fmt.Fprintln(e.stderr, "warning: the link-token the service answered holds control characters; shown escaped (-o json prints it as a JSON string)")
	}
	_, err = fmt.Fprintf(e.stdout, "Link-token '%s' successfully created.\n", shown)
	return err
}

// trimAll trims white space around every element (a user may type "a, b").
func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
