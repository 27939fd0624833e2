package contract

import (
	"fmt"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// Side says which half of an exchange a violation is in.
type Side string

// The two halves of an exchange.
const (
	SideRequest  Side = "request"
	SideResponse Side = "response"
)

// Part says where in a request or response a violation is.
type Part string

// The parts of a message that can break the contract.
const (
	PartMethod Part = "method" // the request method (request side only)
	PartPath   Part = "path"   // a path parameter
	PartQuery  Part = "query"  // a query parameter
	PartHeader Part = "header" // a header, Content-Type and Authorization included
	PartCookie Part = "cookie" // a cookie parameter
	PartStatus Part = "status" // the response status (response side only)
	PartBody   Part = "body"   // the body, JSON pointer into it
)

// Rules that are not JSON Schema keywords. Schema failures use the keyword
// that failed ("type", "pattern", "format", "required", "minLength", …), with
// "additionalProperties" for a property a closed schema does not allow.
const (
	RuleStatus          = "status"           // a status the operation does not declare
	RuleContentType     = "content-type"     // a media type the operation does not declare, none, or one that does not parse
	RuleMediaType       = "media-type"       // a declared media type its server does not use for that body (x-atlas-media-types)
	RuleVersion         = "version"          // a resource version after the one Accept asked for
	RuleRequiredHeader  = "required-header"  // a declared required header is missing
	RuleRequired        = "required"         // a required body, parameter or property is missing
	RuleEmptyValue      = "empty-value"      // a parameter sent with an empty value it does not allow
	RuleNoBody          = "no-body"          // a body where the contract declares none
	RuleJSON            = "json"             // a body that is not one JSON text
	RuleDuplicateName   = "duplicate-name"   // an object member name that appears twice (RFC 8259 §4: SHOULD be unique)
	RuleUTF8            = "utf-8"            // a JSON body that is not valid UTF-8 (RFC 8259 §8.1)
	RuleContentEncoding = "content-encoding" // a body that does not decode from its Content-Encoding
	RuleBodyTooLarge    = "body-size"        // a body larger than the check reads
	RuleSecurity        = "security"         // missing or malformed credentials, or a scheme the server does not accept
	RuleChallenge       = "challenge"        // a 401 without a well-formed challenge the request could answer
	RuleEnvelope        = "envelope"         // envelope=true broken (status, shape, content)
	// A query parameter the operation does not declare: a notice unless Strict.
	RuleUndeclaredParam = "undeclared-parameter"
	RuleQuery           = "query"  // a query url.ParseQuery cannot read whole (a ';' separator, a malformed percent-encoding, past its parameter limit)
	RuleMethod          = "method" // a method the path does not declare
	RuleParameterType   = "type"   // a parameter that does not parse as its schema's type
	// A property a closed schema does not declare: in a response body, a
	// notice unless Strict.
	RuleAdditionalProps = "additionalProperties"
	RuleOmitted         = "omitted" // not a rule: closes a list cut at MaxListedPerExchange entries of one part, counting the rest, or the findings of a body over 64 KiB, judged only to its first failing value
)

// MaxListedPerExchange bounds the violations, and the notices, a Result
// lists of each part of each message (the request body, the response
// headers, …): a body with a million bad entries is reported by its first
// ones and a count of the rest, in bounded output.
const MaxListedPerExchange = 100

// Violation is one way an exchange breaks the contract. It never holds a
// secret: credentials and link-tokens are described, not copied.
type Violation struct {
	// Exchange names the exchange: "POST /api/atlas/v2/orgs/…/linkTokens → 201",
	// prefixed with its source (file and entry) when it came from a recording.
	Exchange string `json:"exchange"`
	// Side is request or response.
	Side Side `json:"side"`
	// Part is the part of that message: path, query, header, status or body.
	Part Part `json:"part"`
	// Pointer is a JSON pointer to the field: into the body for PartBody, and
	// "/name" for a path parameter, query parameter or header. Empty when the
	// whole part is meant (a missing body, the status).
	Pointer string `json:"pointer"`
	// Rule is the rule broken: a JSON Schema keyword or one of the Rule… constants.
	Rule string `json:"rule"`
	// Expected is what the contract wants; Found is what the exchange had.
	Expected string `json:"expected"`
	Found    string `json:"found"`
}

// NotJudged reports whether v says the check could not judge a body (one
// larger than it reads, cut, or recorded in part: RuleBodyTooLarge) rather
// than that the exchange breaks the contract. The exchange does not
// conform, and nothing says it broke the contract either: check and the
// proxy tell the two apart in their exit status.
func (v *Violation) NotJudged() bool { return v.Rule == RuleBodyTooLarge }

// Error prints the violation on one line: its exchange, its Summary, and
// what was expected and found.
func (v *Violation) Error() string {
	var b strings.Builder
	b.Grow(len(v.Exchange) + len(v.Pointer) + len(v.Expected) + len(v.Found) + 64)
	if v.Exchange != "" {
		// The name holds the request's decoded path, in which %0A is a
		// line break and %1B an ANSI escape: escaped, as every field here,
		// so a printed violation cannot forge a second log line or drive
		// the terminal.
		b.WriteString(safetext.Line(v.Exchange))
		b.WriteString(": ")
	}
	b.WriteString(v.Summary())
	b.WriteString(": expected ")
	b.WriteString(safetext.Line(v.Expected))
	b.WriteString(", found ")
	b.WriteString(safetext.Line(v.Found))
	return b.String()
}

// Summary names where the violation is and the rule it breaks, on one
// line, without its exchange or what was expected and found: "response
// header /Retry-After: required-header". It is the short form for a list
// of violations (a test report's message, a response header), and the
// middle of what Error prints; the pointer is escaped as Error escapes it.
func (v *Violation) Summary() string {
	s := string(v.Side) + " " + string(v.Part)
	if v.Pointer != "" {
		s += " " + safetext.Line(v.Pointer) // a property name may hold a line break
	}
	return s + ": " + v.Rule
}

// Violations is every violation of one check, in the order found. As an
// error it prints one violation a line, and errors.As reaches each
// *Violation (the first that matches) as well as the Violations itself.
type Violations []*Violation

func (vs Violations) Error() string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v.Error())
	}
	return b.String()
}

// Unwrap exposes each violation to errors.As and errors.Is.
func (vs Violations) Unwrap() []error {
	errs := make([]error, len(vs))
	for i, v := range vs {
		errs[i] = v
	}
	return errs
}

// Rules lists the rule of each violation, in order; handy in tests.
func (vs Violations) Rules() []string {
	rules := make([]string, len(vs))
	for i, v := range vs {
		rules[i] = v.Rule
	}
	return rules
}

// capLists cuts each list at MaxListedPerExchange entries of each part of
// each message, counting the rest and saying so in an entry per part cut.
func (r *Result) capLists() {
	r.Violations, r.MoreViolations = capList(r.Violations, "violations")
	r.Notices, r.MoreNotices = capList(r.Notices, "notices")
}

// found is how many findings a list cut by capList stands for: the entries
// listed, but for the RuleOmitted ones (which close a list cut, or one a
// big body's judgement stopped), and the more they count.
func found(list Violations, more int) int {
	n := len(list) + more
	for _, x := range list {
		if x.Rule == RuleOmitted {
			n--
		}
	}
	return n
}

// capList keeps, of each side and part (the request body, the response
// headers, …), the first MaxListedPerExchange entries: a flood in one part
// (a body's bad entries) does not crowd out another (a missing credential).
func capList(vs Violations, what string) (Violations, int) {
	if len(vs) <= MaxListedPerExchange {
		return vs, 0
	}
	type where struct {
		side Side
		part Part
	}
	seen := map[where]int{}
	var cut []where // in the order first cut
	kept := vs[:0:0]
	for _, x := range vs {
		k := where{x.Side, x.Part}
		seen[k]++
		switch n := seen[k]; {
		case n <= MaxListedPerExchange:
			kept = append(kept, x)
		case n == MaxListedPerExchange+1:
			cut = append(cut, k)
		}
	}
	total := 0
	for _, k := range cut {
		more := seen[k] - MaxListedPerExchange
		total += more
		kept = append(kept, &Violation{
			Exchange: vs[0].Exchange, Side: k.side, Part: k.part, Rule: RuleOmitted,
			Expected: fmt.Sprintf("at most %d %s listed per part of a message", MaxListedPerExchange, what),
			Found:    fmt.Sprintf("… and %d more", more),
		})
	}
	return kept, total
}

// pointerEscaper escapes a JSON pointer token (RFC 6901); made once, as a
// Replacer is meant to be, not per token.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointerEscape escapes one JSON pointer token (RFC 6901).
func pointerEscape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}
