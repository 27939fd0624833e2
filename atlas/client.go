// Package atlas is the client for MongoDB Atlas's link-token operations:
// create the link-token a Cloud Manager or Ops Manager organization needs
// before it can push a live migration into Atlas, and remove it.
//
// It builds on the generated client (package generated/client, still reachable
// through [Client.Generated]) and adds what the generated code cannot: digest
// or service-account authentication layered onto the caller's own transport,
// the Accept header each API version needs, input checks before any byte is
// sent, typed errors, safe retries, transparent envelopes, and a LinkToken
// type that never prints its secret.
//
// Transports are layered as: retries (around each call) → authentication
// (digest or OAuth 2) → [WithWireTransport] wrappers (e.g. contract
// validation, which therefore sees the 401 challenge too) → the caller's
// transport.
//
// Digest: authentication is built from github.com/icholy/digest's
// primitives, with a pool of challenges owned by the Client rather than
// digest.Transport's single challenge cached per host NAME (not host:port).
// Each in-flight request holds one challenge exclusively, so nonce counts
// reach the server in order even under concurrency, and two Clients pointed
// at two servers on one host (say two test servers on 127.0.0.1) never share
// a nonce. After the first call each call costs one exchange; a stale nonce
// costs one transparent extra exchange. See [NewDigestTransport].
package atlas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/buildinfo"
	"github.com/seed-5c49e0d7/linktoken/internal/digestauth"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/wire"
)

// DefaultUserAgent returns the User-Agent sent unless WithUserAgent says
// otherwise: "linktoken-go/VERSION (+https://github.com/seed-5c49e0d7/linktoken)",
// VERSION being this module's version as the program's build recorded it
// (v1.2.3, a pseudo-version), or "devel" when it recorded none (go run).
func DefaultUserAgent() string { return buildinfo.UserAgent("linktoken-go") }

// maxBody bounds how much of a response the client reads; the largest
// legitimate body (an ApiError with field details) is a few kilobytes.
const maxBody = 1 << 20

// ErrNoCredentials is returned by NewClient when neither API keys nor a
// service account were given.
var ErrNoCredentials = errors.New("linktoken: no credentials: use WithDigest or WithServiceAccount " +
	"(or set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY, or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET)")

// Client creates and removes link-tokens. It is safe for concurrent use.
type Client struct {
	hc       *http.Client // authenticated: what gen sends with
	gen      *client.ClientWithResponses
	base     http.RoundTripper // the caller's transport, under every layer
	server   string
	version  APIVersion
	retry    RetryPolicy
	logger   *slog.Logger
	envelope bool
	pretty   bool
}

// NewClient builds a Client. Credentials are required (WithDigest,
// WithServiceAccount or WithEnv); everything else has a default: the service
// root https://cloud.mongodb.com/, API v2, a fresh http.Client over
// http.DefaultTransport, DefaultRetryPolicy.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL, version: APIVersionV2, userAgent: DefaultUserAgent(), retry: DefaultRetryPolicy()}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	root, rootPath, err := checkRoot(cfg.baseURL)
	if err != nil {
		return nil, err
	}
	server := root + "api/atlas/" + string(cfg.version)
	// The escaped path requests to server start with.
	basePath := rootPath + "/api/atlas/" + string(cfg.version)

	// Copy the caller's client: its timeout, jar and redirect policy stay;
	// only our copy gets the authenticated transport.
	hc := &http.Client{}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	hc.CheckRedirect = refusalsFinal(hc.CheckRedirect)
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wire := base
	for _, wrap := range cfg.wire {
		wire = wrap(wire)
	}
	switch {
	case cfg.publicKey != "":
		// One challenge pool per Client (see NewDigestTransport).
		hc.Transport = digestauth.New(cfg.publicKey, cfg.privateKey, wire)
	case cfg.clientID != "":
		if cfg.version != APIVersionV2 {
			return nil, errors.New("linktoken: service accounts work with API v2 only; use WithDigest for v1.0")
		}
		cc := clientcredentials.Config{ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, TokenURL: root + "api/oauth/token"}
		// The token exchange uses the caller's transport too, never
		// http.DefaultClient; it is not an operation of the contract, so it
		// bypasses the wire wrappers.
		// A redirect is not followed: the request carries the client
		// secret (in its body when golang.org/x/oauth2 falls back to the
		// form), which must go to the token endpoint named, nowhere else.
		tokenClient := &http.Client{Transport: base, Timeout: hc.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		hc.Transport = newBearerTransport(cc, tokenClient, wire)
	default:
		return nil, ErrNoCredentials
	}

	media, ua := cfg.version.mediaType(), cfg.userAgent
	headers := func(_ context.Context, req *http.Request) error {
		// The generated client sends no Accept header: on v2 each
		// operation asks for its own resource version.
		accept := media
		if cfg.version == APIVersionV2 {
			accept = acceptFor(req, basePath, media)
		}
		req.Header.Set("Accept", accept)
		if ua != "" {
			req.Header.Set("User-Agent", ua)
		}
		return nil
	}
	gen, err := client.NewClientWithResponses(server, client.WithHTTPClient(hc), client.WithRequestEditorFn(headers))
	if err != nil {
		return nil, fmt.Errorf("linktoken: %w", err)
	}
	return &Client{
		hc: hc, gen: gen, base: base, server: server, version: cfg.version,
		retry: cfg.retry.withDefaults(), logger: cfg.logger,
		envelope: cfg.envelope, pretty: cfg.pretty,
	}, nil
}

// checkRoot validates the service root and returns it with one trailing
// slash, and its escaped path without one.
//
// Its errors never quote root whole: user info, a query or a fragment may
// hold a password or a token. They show scheme, host and path only.
func checkRoot(root string) (s, path string, err error) {
	u, err := url.Parse(root)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the same error without the URL it quotes
		}
		return "", "", fmt.Errorf("linktoken: base URL: %w", err)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", "", fmt.Errorf("linktoken: base URL %q: want an http(s) service root such as %s", shown, DefaultBaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("linktoken: base URL %q: want a service root without query, fragment or user info", shown)
	}
	if strings.Contains(u.Path, "/api/atlas/") {
		return "", "", fmt.Errorf("linktoken: base URL %q: pass the service root (e.g. %s://%s/); the client adds /api/atlas/<version>", shown, u.Scheme, u.Host)
	}
	s = u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

// Generated returns the generated client this Client is built on, with the
// same authentication, Accept and User-Agent headers, for raw calls. Raw calls
// get no input checks, retries or envelope handling.
//
// Which generated create fits which version: CreateLinkTokenWithResponse
// sends its body as application/json, which both versions take (v1.0 takes
// nothing else; on v2 it is what MongoDB's reference page and curl samples
// send), so it is the call to use on either.
// CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse
// sends the versioned type, as MongoDB's SDK and CLI do: v2 only (v1.0
// answers 415). DeleteLinkTokenWithResponse fits both. The Accept header
// is this Client's version's: on v2 the resource version of the operation
// called (as the contract declares it; see atlas/accept.gen.go), plain JSON
// on v1.0; the typed fields (JSON201, JSON404…) are filled on both.
func (c *Client) Generated() *client.ClientWithResponses { return c.gen }

// HTTPClient is the authenticated *http.Client every call of this Client
// goes through (the digest or bearer layer over the caller's transport and
// any WithWireTransport wrappers; no retries, which wrap each call): for
// requests of one's own to the same service, authenticated the same way.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// BaseURL is the API base every call goes to, e.g.
// https://cloud.mongodb.com/api/atlas/v2.
func (c *Client) BaseURL() string { return c.server }

// APIVersion is the version the Client speaks.
func (c *Client) APIVersion() APIVersion { return c.version }

// CloseIdleConnections closes idle connections of the caller's transport
// (reached directly: wire wrappers need not forward the call).
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// CreateLinkToken creates a link-token for orgID whose API key admits the
// given access list entries (IPv4/IPv6 addresses or CIDR blocks); none sends
// an empty list. Input is checked before anything is sent. A 429 is retried;
// a 5xx, timeout or broken connection is not, unless the retry policy sets
// RetryUnsafeCreate, because the first attempt may have been carried out.
func (c *Client) CreateLinkToken(ctx context.Context, orgID string, accessListIPs ...string) (LinkToken, error) {
	if err := CheckOrgID(orgID); err != nil {
		return LinkToken{}, err
	}
	if err := CheckAccessList(accessListIPs); err != nil {
		return LinkToken{}, err
	}
	// The contract requires the array; a nil slice would go out as null.
	body := client.TargetOrgRequest{AccessListIps: append([]string{}, accessListIPs...)}
	params := &client.CreateLinkTokenParams{}
	if c.envelope {
		params.Envelope = new(true)
	}
	if c.pretty {
		params.Pretty = new(true)
	}
	var token LinkToken
	err := c.withRetries(ctx, "create", false, func(ctx context.Context) error {
		var resp *http.Response
		var err error
		if c.version == APIVersionV1 {
			resp, err = c.gen.CreateLinkToken(ctx, orgID, params, body)
		} else {
			resp, err = c.gen.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBody(ctx, orgID, params, body)
		}
		if err != nil {
			return fmt.Errorf("linktoken: create link-token: %w", err)
		}
		ex, err := c.read("create", resp)
		if err != nil {
			return err
		}
		if ex.status != http.StatusCreated && ex.status != http.StatusOK {
			return ex.failure("create")
		}
		secret, err := linkTokenMember(ex.body)
		if err != nil {
			return ex.unexpected("create", err.Error())
		}
		token = NewLinkToken(secret)
		return nil
	})
	return token, err
}

// linkTokenMember is the create response's linkToken. Only the member the
// contract names counts, once: the generated client.TargetOrg, decoded by
// encoding/json, would take {"LinkToken": …} or {"LINKTOKEN": …} as well (a
// secret under a name no check or redaction looks for), and of two
// linkToken members the last.
func linkTokenMember(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", errors.New("undecodable body")
	}
	var secret string
	found := 0
	for dec.More() {
		name, err := dec.Token()
		var value json.RawMessage
		if err == nil {
			err = dec.Decode(&value)
		}
		if err != nil {
			return "", errors.New("undecodable body")
		}
		if name == "linkToken" {
			found++
			if json.Unmarshal(value, &secret) != nil {
				secret = ""
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return "", errors.New("undecodable body")
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("undecodable body")
	}
	switch {
	case found > 1:
		return "", errors.New("response with more than one linkToken")
	case secret == "":
		return "", errors.New("response without a linkToken")
	}
	return secret, nil
}

// DeleteLinkToken removes orgID's link, which invalidates its link-token. A
// remove is idempotent, so 429, 5xx, timeouts and broken connections are
// retried per the retry policy. A second remove fails with ErrNotFound;
// but a 404 answering a retry, after an attempt whose outcome the client
// could not learn (broken connection, timeout, 5xx), counts as success:
// that attempt most likely removed the link, and the link is gone.
func (c *Client) DeleteLinkToken(ctx context.Context, orgID string) error {
	if err := CheckOrgID(orgID); err != nil {
		return err
	}
	params := &client.DeleteLinkTokenParams{}
	if c.envelope {
		params.Envelope = new(true)
	}
	// outcomeUnknown is set when an attempt may have removed the link without
	// the client learning so (a broken connection, a timeout, a 5xx).
	outcomeUnknown := false
	return c.withRetries(ctx, "delete", true, func(ctx context.Context) error {
		resp, err := c.gen.DeleteLinkToken(ctx, orgID, params)
		if err != nil {
			outcomeUnknown = true
			return fmt.Errorf("linktoken: delete link-token: %w", err)
		}
		ex, err := c.read("delete", resp)
		if err != nil {
			outcomeUnknown = true
			return err
		}
		if ex.status == http.StatusNoContent || ex.status == http.StatusOK {
			return nil
		}
		ferr := ex.failure("delete")
		if ex.status == http.StatusNotFound && outcomeUnknown {
			// The earlier attempt most likely removed the link; the caller
			// asked for it to be gone, and it is.
			c.log(ctx, "linktoken: remove answered 404 after an attempt with unknown outcome; the link is gone",
				slog.String("operation", "delete"))
			return nil
		}
		if ex.status >= 500 {
			outcomeUnknown = true
		}
		return ferr
	})
}

// exchange is one response after envelope unwrapping.
type exchange struct {
	status      int
	header      http.Header
	contentType string
	body        []byte
}

// read drains and closes resp and unwraps an envelope when one was asked for.
func (c *Client) read(op string, resp *http.Response) (*exchange, error) {
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("linktoken: %s link-token: reading the response: %w", op, err)
	}
	ex := &exchange{status: resp.StatusCode, header: resp.Header, contentType: resp.Header.Get("Content-Type"), body: body}
	if !c.envelope || resp.StatusCode != http.StatusOK {
		return ex, nil
	}
	var env struct {
		Status  int32           `json:"status"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, ex.unexpected(op, "undecodable envelope")
	}
	if env.Status == 0 {
		// A server that ignores envelope=true answers the plain body.
		return ex, nil
	}
	ex.status = int(env.Status)
	ex.body = nil
	if len(env.Content) > 0 && !bytes.Equal(env.Content, []byte("null")) {
		ex.body = env.Content
	}
	return ex, nil
}

// failure turns a non-success response into an *APIError, or an
// *UnexpectedResponseError when it is no ApiError.
func (ex *exchange) failure(op string) error {
	if ex.status < 400 {
		return ex.unexpected(op, "unexpected status")
	}
	var body client.ApiError
	if err := json.Unmarshal(ex.body, &body); err != nil || body.Error == 0 {
		return ex.unexpected(op, "undecodable error body")
	}
	e := &APIError{
		Operation:  op,
		StatusCode: ex.status,
		ErrorCode:  deref(body.ErrorCode),
		Detail:     deref(body.Detail),
		Reason:     deref(body.Reason),
		RetryAfter: parseRetryAfter(ex.header, time.Now()),
	}
	if e.ErrorCode == "" {
		e.ErrorCode = ex.header.Get(wire.ErrorCodeHeader)
	}
	if body.Parameters != nil {
		e.Parameters = *body.Parameters
	}
	if body.BadRequestDetail != nil && body.BadRequestDetail.Fields != nil {
		e.BadRequestFields = *body.BadRequestDetail.Fields
	}
	return e
}

func (ex *exchange) unexpected(op, problem string) error {
	ct := ex.contentType
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	}
	return &UnexpectedResponseError{
		Operation: op, StatusCode: ex.status, ContentType: ct, Problem: problem,
		Excerpt: redactText(string(ex.body), 160),
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// withRetries runs attempt until it succeeds, the policy gives up, or the
// context ends. It never sleeps past the context's deadline.
func (c *Client) withRetries(ctx context.Context, op string, idempotent bool, attempt func(context.Context) error) error {
	p := c.retry
	for n := 1; ; n++ {
		err := attempt(ctx)
		if err == nil {
			return nil
		}
		retry, ev := p.classify(ctx, err, idempotent)
		if !retry || n >= p.MaxAttempts {
			return attemptsNote(err, n)
		}
		ev.Operation, ev.Attempt, ev.Wait = op, n, p.Jitter(p.backoff(n))
		if ev.RetryAfter > p.MaxRetryAfter {
			c.log(ctx, "linktoken: not retrying: Retry-After is longer than the retry policy's MaxRetryAfter",
				slog.String("operation", op), slog.Int("attempt", n), slog.String("reason", ev.Reason), slog.Duration("retryAfter", ev.RetryAfter))
			return attemptsNote(err, n)
		}
		ev.Wait = max(ev.Wait, ev.RetryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < ev.Wait {
			c.log(ctx, "linktoken: not retrying: the wait would pass the context deadline",
				slog.String("operation", op), slog.Int("attempt", n), slog.String("reason", ev.Reason), slog.Duration("wait", ev.Wait))
			return attemptsNote(err, n)
		}
		if p.OnRetry != nil {
			p.OnRetry(ev)
		}
		c.log(ctx, "linktoken: retrying",
			slog.String("operation", op), slog.Int("attempt", n), slog.String("reason", ev.Reason),
			slog.Int("status", ev.StatusCode), slog.Duration("retryAfter", ev.RetryAfter), slog.Duration("wait", ev.Wait))
		if serr := p.Sleep(ctx, ev.Wait); serr != nil {
			// Both stay reachable: the caller who cancelled matches its
			// context's error, the one who asks why the call failed, the
			// service's answer.
			return &retriedError{err: err, attempts: n, interrupted: serr}
		}
	}
}

func (c *Client) log(ctx context.Context, msg string, attrs ...slog.Attr) {
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
	}
}

// attemptsNote says how many attempts were made when there was more than one,
// keeping err reachable through errors.As/Is.
func attemptsNote(err error, n int) error {
	if n <= 1 {
		return err
	}
	return &retriedError{err: err, attempts: n}
}

// retriedError is the last attempt's error after more than one attempt,
// or after a wait to retry that the context ended (interrupted, its
// error).
type retriedError struct {
	err         error
	attempts    int
	interrupted error
}

func (e *retriedError) Error() string {
	if e.interrupted != nil {
		return fmt.Sprintf("%v (after %s; %v while waiting to retry)", e.err, plural.Count(e.attempts, "attempt"), e.interrupted)
	}
	return fmt.Sprintf("%v (after %d attempts)", e.err, e.attempts)
}

func (e *retriedError) Unwrap() []error {
	if e.interrupted != nil {
		return []error{e.err, e.interrupted}
	}
	return []error{e.err}
}
