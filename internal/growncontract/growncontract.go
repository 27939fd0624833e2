// Package growncontract is the contract grown by two operations that only
// tests know, for the tests that prove the module's generic parts need
// nothing of a new operation but its handler (docs/development.md, "Adding
// an operation"). The operations are the next steps of a push live
// migration, written as a maintainer would add them to openapi/linktoken.yaml,
// and realistically unlike the link-token ones: a resource version of their
// own (2024-05-30), a body and a response with a status member, a property
// with a default, two patterned path parameters, a GET that answers 200,
// and servers on their path items (v2 only, OpenAPI's own way).
package growncontract

import (
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
)

// The operations, paths and resource version the grown contract adds.
const (
	CreateOp   = "createPushMigration"
	GetOp      = "getPushMigration"
	CreatePath = "/groups/{groupId}/liveMigrations"
	GetPath    = "/groups/{groupId}/liveMigrations/{liveMigrationId}"
	MediaType  = "application/vnd.atlas.2024-05-30+json"
	// GroupID and MigrationID are values the parameters' patterns accept.
	GroupID     = "5e2211c17a3e5a48f5497de3"
	MigrationID = "6f3322d28b4f6b59a6508ef4"
)

// fragment is what a maintainer adds to openapi/linktoken.yaml, as JSON:
// paths and components merged into the contract's own.
const fragment = `{
 "paths": {
  "/groups/{groupId}/liveMigrations": {
   "servers": [{"url": "https://cloud.mongodb.com/api/atlas/v2"}],
   "parameters": [{"$ref": "#/components/parameters/groupId"}, {"$ref": "#/components/parameters/envelope"}],
   "post": {
    "operationId": "createPushMigration", "tags": ["Cloud Migration Service"],
    "summary": "Start one push live migration", "description": "A test's operation (MongoDB's createPushMigration). v2 only.",
    "requestBody": {"required": true, "description": "The migration to start.", "content": {
     "application/vnd.atlas.2024-05-30+json": {"schema": {"$ref": "#/components/schemas/LiveMigrationRequest"}},
     "application/json": {"schema": {"$ref": "#/components/schemas/LiveMigrationRequest"}}}},
    "responses": {
     "201": {"description": "Created.", "headers": {
       "RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
       "RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}},
      "content": {"application/vnd.atlas.2024-05-30+json": {"schema": {"$ref": "#/components/schemas/LiveMigration"}}}},
     "200": {"description": "OK, with envelope=true only.", "headers": {
       "RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
       "RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
       "Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
      "content": {"application/vnd.atlas.2024-05-30+json": {"schema": {"$ref": "#/components/schemas/ResponseEnvelope"}},
       "application/json": {"schema": {"$ref": "#/components/schemas/ResponseEnvelope"}}}},
     "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
     "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
     "406": {"$ref": "#/components/responses/NotAcceptable"}, "413": {"$ref": "#/components/responses/PayloadTooLarge"},
     "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "429": {"$ref": "#/components/responses/TooManyRequests"},
     "500": {"$ref": "#/components/responses/InternalServerError"}, "503": {"$ref": "#/components/responses/ServiceUnavailable"}
    }
   }
  },
  "/groups/{groupId}/liveMigrations/{liveMigrationId}": {
   "servers": [{"url": "https://cloud.mongodb.com/api/atlas/v2"}],
   "parameters": [{"$ref": "#/components/parameters/groupId"}, {"$ref": "#/components/parameters/liveMigrationId"},
    {"$ref": "#/components/parameters/envelope"}],
   "get": {
    "operationId": "getPushMigration", "tags": ["Cloud Migration Service"],
    "summary": "Return one push live migration", "description": "A test's operation (MongoDB's getPushMigration). v2 only.",
    "responses": {
     "200": {"description": "OK: the migration (or, with envelope=true, its envelope).", "headers": {
       "RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
       "RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
       "Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
      "content": {"application/vnd.atlas.2024-05-30+json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/LiveMigration"}, {"$ref": "#/components/schemas/ResponseEnvelope"}]}},
       "application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/LiveMigration"}, {"$ref": "#/components/schemas/ResponseEnvelope"}]}}}},
     "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
     "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
     "406": {"$ref": "#/components/responses/NotAcceptable"}, "429": {"$ref": "#/components/responses/TooManyRequests"},
     "500": {"$ref": "#/components/responses/InternalServerError"}, "503": {"$ref": "#/components/responses/ServiceUnavailable"}
    }
   }
  }
 },
 "components": {
  "parameters": {
   "groupId": {"name": "groupId", "in": "path", "required": true, "description": "The project: 24 hexadecimal digits.",
    "schema": {"type": "string", "pattern": "^([a-f0-9]{24})$", "minLength": 24, "maxLength": 24, "example": "5e2211c17a3e5a48f5497de3"}},
   "liveMigrationId": {"name": "liveMigrationId", "in": "path", "required": true, "description": "The migration: 24 hexadecimal digits.",
    "schema": {"type": "string", "pattern": "^([a-f0-9]{24})$", "minLength": 24, "maxLength": 24, "example": "6f3322d28b4f6b59a6508ef4"}}
  },
  "schemas": {
   "LiveMigrationRequest": {"type": "object", "additionalProperties": false, "required": ["clusterName"],
    "description": "A migration to start.",
    "properties": {
     "clusterName": {"type": "string", "minLength": 1, "maxLength": 64, "description": "The destination cluster (free text)."},
     "dropDestinationData": {"type": "boolean", "default": false, "description": "Whether to drop the destination's data first."}},
    "example": {"clusterName": "Cluster0", "dropDestinationData": false}},
   "LiveMigration": {"type": "object", "required": ["id", "status"], "description": "A push live migration.",
    "properties": {
     "id": {"type": "string", "pattern": "^([a-f0-9]{24})$", "description": "The migration's id."},
     "status": {"type": "string", "enum": ["NEW", "FAILED", "COMPLETED", "EXPIRED"], "description": "Where the migration is."},
     "clusterName": {"type": "string", "description": "The destination cluster."}},
    "example": {"id": "6f3322d28b4f6b59a6508ef4", "status": "NEW", "clusterName": "Cluster0"}}
  }
 }
}`

// JSON is the grown contract as JSON: the embedded contract with the
// fragment's paths and components added.
func JSON() ([]byte, error) {
	raw, err := spec.GetSpecJSON()
	if err != nil {
		return nil, err
	}
	var doc, add map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fragment), &add); err != nil {
		return nil, fmt.Errorf("growncontract: the fragment: %w", err)
	}
	merge(doc, add)
	// As the embedded spec has them: oapi-codegen copies a path item's
	// servers onto each of its operations (pkg/codegen/operations.go).
	for _, item := range doc["paths"].(map[string]any) {
		item := item.(map[string]any)
		if servers, ok := item["servers"]; ok {
			for _, method := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
				if op, ok := item[method].(map[string]any); ok {
					op["servers"] = servers
				}
			}
		}
	}
	return json.Marshal(doc)
}

// merge adds src's members to dst, object by object.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if into, ok := dst[k].(map[string]any); ok {
				merge(into, sub)
				continue
			}
		}
		dst[k] = v
	}
}

// Doc loads a fresh copy of the grown contract (each caller may take it
// as its own).
func Doc() (*openapi3.T, error) {
	raw, err := JSON()
	if err != nil {
		return nil, err
	}
	return openapi3.NewLoader().LoadFromData(raw)
}
