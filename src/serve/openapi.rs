//! The OpenAPI 3.0 document of the service, generated from the Rust types of the case and the
//! decision (schemars) and committed as `schema/openapi.json`, which the service serves. A
//! test fails when the committed file is stale and calls every operation it lists.

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::decide::{Case, Decision};

/// The committed document, served at `/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../schema/openapi.json");

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

/// The document, generated now.
pub fn document() -> Value {
    let mut schemas = serde_json::Map::new();
    let mut reader = SchemaSettings::openapi3()
        .for_deserialize()
        .into_generator();
    let case = reader.subschema_for::<Case>();
    schemas.extend(reader.take_definitions(true));
    let mut writer = SchemaSettings::openapi3().for_serialize().into_generator();
    let decision = writer.subschema_for::<Decision<'static>>();
    schemas.extend(writer.take_definitions(true));
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": { "type": "string", "description": "What is wrong and what to do." },
                "field": { "type": "string", "nullable": true, "description": "The field of the case it is about (e.g. `events[2].at`)." },
                "line": { "type": "integer", "nullable": true },
                "column": { "type": "integer", "nullable": true },
                "id": { "type": "string", "nullable": true, "description": "The case id, when it could be read." },
                "limit": { "type": "integer", "description": "The limit exceeded (413)." },
                "endpoints": { "type": "array", "items": { "type": "string" }, "description": "The endpoints (404, 405)." },
                "roles": { "type": "array", "items": { "type": "string" }, "description": "The roles of the policy (404 of a role)." }
            }
        }),
    );
    schemas.insert(
        "BatchError".into(),
        json!({
            "type": "object",
            "required": ["line", "error"],
            "description": "A case of a batch that could not be decided; `line` is its 1-based line (NDJSON) or position (JSON array).",
            "properties": {
                "line": { "type": "integer" },
                "id": { "type": "string", "nullable": true },
                "field": { "type": "string", "nullable": true },
                "error": { "type": "string" }
            }
        }),
    );
    let now = json!({
        "name": "now", "in": "query", "required": false,
        "description": "The instant to evaluate states at (RFC 3339 with an offset); default: the server's clock.",
        "schema": { "type": "string", "example": "2026-11-30T12:00:00+08:00" }
    });
    let text = |media: &str, description: &str| json!({ "description": description, "content": { media: { "schema": { "type": "string" } } } });
    let ready = json!({
        "type": "object",
        "required": ["ready", "version", "generation", "today", "calendars", "warnings"],
        "properties": {
            "ready": { "type": "boolean" },
            "version": { "type": "string", "nullable": true, "description": "The latest version" },
            "generation": { "type": "integer", "description": "1 at start, +1 per reload" },
            "today": { "type": "string", "format": "date", "description": "The date days left are counted from" },
            "calendars": { "type": "array", "items": {
                "type": "object",
                "required": ["calendar", "valid_until", "days_left", "beyond_valid"],
                "properties": {
                    "calendar": { "type": "string" },
                    "valid_until": { "type": "string", "format": "date", "description": "The last day of the valid range" },
                    "days_left": { "type": "integer", "description": "From `today` to `valid_until`: 0 on the last valid day, negative after it" },
                    "beyond_valid": { "type": "string", "enum": ["provisional", "refuse"], "description": "What happens to cases that need later dates" }
                }
            }},
            "warnings": { "type": "array", "items": {
                "type": "object",
                "required": ["code", "calendar", "message"],
                "properties": {
                    "code": { "type": "string", "enum": ["E0021"] },
                    "calendar": { "type": "string" },
                    "message": { "type": "string" }
                }
            }}
        }
    });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "charter",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Where a complaint goes and when it is due: decisions under a compiled complaint-handling policy. Field names of the decision are the contract described in docs/decide.md."
        },
        "paths": {
            "/v1/decide": { "post": {
                "operationId": "decide",
                "summary": "Decide one case",
                "parameters": [now],
                "requestBody": { "required": true, "content": { "application/json": { "schema": case } } },
                "responses": {
                    "200": { "description": "The decision.", "content": { "application/json": { "schema": decision } } },
                    "400": error_response("The case is not valid JSON or does not fit the policy, or a query parameter is unknown, repeated or malformed; `field` names the field."),
                    "408": error_response("The request took longer than --request-timeout (default 30 s), body included; the connection is closed."),
                    "413": error_response("The body is larger than the limit (--max-body)."),
                    "415": error_response("The content type is not application/json.")
                }
            }},
            "/v1/decide/batch": { "post": {
                "operationId": "decideBatch",
                "summary": "Decide many cases",
                "description": "NDJSON in, NDJSON out (one decision or BatchError per line, in order); or a JSON array in, a JSON array out. Headers `x-charter-cases` and `x-charter-errors` give the counts.",
                "parameters": [now],
                "requestBody": { "required": true, "content": {
                    "application/x-ndjson": { "schema": { "type": "string" } },
                    "application/json": { "schema": { "type": "array", "items": case } }
                }},
                "responses": {
                    "200": { "description": "One record per case, in input order.", "content": {
                        "application/x-ndjson": { "schema": { "type": "string" } },
                        "application/json": { "schema": { "type": "array", "items": { "oneOf": [decision, { "$ref": "#/components/schemas/BatchError" }] } } }
                    }},
                    "400": error_response("A JSON array body that is not an array of JSON values, or a query parameter that is unknown, repeated or malformed."),
                    "408": error_response("The request took longer than --request-timeout (default 30 s), body included; the connection is closed."),
                    "413": error_response("The body or the number of cases is over the limit (--max-batch-body, --max-batch-cases)."),
                    "415": error_response("The content type is neither application/x-ndjson nor application/json."),
                    "503": {
                        "description": "--max-concurrent-batches batches (default one per core) are being decided already; `limit` gives the number. Retry after the seconds in `Retry-After`.",
                        "headers": { "Retry-After": { "schema": { "type": "integer" }, "example": 1 } },
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                    }
                }
            }},
            "/v1/policy": { "get": {
                "operationId": "policy",
                "summary": "The policy served: name, versions with digests, the live version, channels, categories, severities, roles",
                "responses": { "200": { "description": "The policy.", "content": { "application/json": { "schema": { "type": "object" } } } } }
            }},
            "/v1/roles/{id}": { "get": {
                "operationId": "role",
                "summary": "A role's position description",
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "office_director" },
                    { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["md", "html"], "default": "md" } },
                    { "name": "lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["zh", "en"], "default": "zh" } }
                ],
                "responses": {
                    "200": { "description": "The document.", "content": {
                        "text/markdown": { "schema": { "type": "string" } },
                        "text/html": { "schema": { "type": "string" } }
                    }},
                    "400": error_response("An unknown format or language, or a query parameter that is unknown or repeated."),
                    "404": error_response("No such role; `roles` lists them.")
                }
            }},
            "/healthz": { "get": {
                "operationId": "healthz", "summary": "The process is up",
                "responses": { "200": { "description": "`{\"status\": \"ok\"}`", "content": { "application/json": { "schema": { "type": "object" } } } } }
            }},
            "/readyz": { "get": {
                "operationId": "readyz", "summary": "A policy is loaded and served; how long its calendars stay valid",
                "responses": { "200": { "description": "`{\"ready\": true, \"version\", \"generation\", \"today\", \"calendars\", \"warnings\"}`: each calendar the policy decides with that has a valid range, its last valid day and the days left (negative once ended); an E0021 warning for each within 90 days of its end (the service stays ready)", "content": { "application/json": { "schema": ready } } } }
            }},
            "/metrics": { "get": {
                "operationId": "metrics", "summary": "Prometheus metrics: requests, latency, decisions by outcome, reloads, days left in each calendar's valid range",
                "responses": { "200": text("text/plain", "The Prometheus text format.") }
            }},
            "/openapi.json": { "get": {
                "operationId": "openapi", "summary": "This document",
                "responses": { "200": { "description": "The OpenAPI document.", "content": { "application/json": { "schema": { "type": "object" } } } } }
            }}
        },
        "components": { "schemas": schemas }
    })
}
