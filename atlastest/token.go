package atlastest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// LinkTokenContent is what a link-token issued by this service decodes to. The
// live token is base64 of a JSON document with the organization's id and name
// and an API key pair; here the key pair is random and grants nothing.
type LinkTokenContent struct {
	OrgID         string   `json:"orgId"`
	OrgName       string   `json:"orgName"`
	PublicAPIKey  string   `json:"publicApiKey"`
	PrivateAPIKey string   `json:"privateApiKey"`
	AccessListIPs []string `json:"accessListIps"`
}

// DecodeLinkToken reads a link-token issued by this service.
func DecodeLinkToken(token string) (LinkTokenContent, error) {
	var c LinkTokenContent
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return c, fmt.Errorf("atlastest: link-token is not base64: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("atlastest: link-token is not a JSON document: %w", err)
	}
	return c, nil
}

func orgName(orgID string) string { return "Organization " + orgID }

// newLinkToken mints a token shaped like the real one around a fresh fake key
// pair, so two creates for one organization never give the same token.
func newLinkToken(orgID string, accessList []string, record func(...string)) string {
	if accessList == nil {
		accessList = []string{}
	}
	c := LinkTokenContent{
		OrgID:         orgID,
		OrgName:       orgName(orgID),
		PublicAPIKey:  randomHex(4),
		PrivateAPIKey: uuid.NewString(),
		AccessListIPs: accessList,
	}
	raw, _ := json.Marshal(c) // strings only: cannot fail
	token := base64.StdEncoding.EncodeToString(raw)
	record(token, c.PrivateAPIKey)
	return token
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
