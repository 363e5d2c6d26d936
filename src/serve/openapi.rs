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

/// The refusals every operation may answer, whatever its path: a query parameter it does not
/// take (`query` says which it takes), a request that takes too long, a URI or headers over
/// the limits.
fn common_errors(query: &str) -> serde_json::Map<String, Value> {
    let mut responses = serde_json::Map::new();
    responses.insert(
        "400".into(),
        error_response(&format!(
            "A query parameter this operation does not take ({query}), or one given more than once; `field` names it. Also sent, with the same body, for a request hyper cannot parse as HTTP/1.1."
        )),
    );
    responses.insert(
        "408".into(),
        error_response(
            "The request took longer than --request-timeout (default 30 s) from its headers to its answer, body included; the connection is closed.",
        ),
    );
    responses.insert(
        "414".into(),
        error_response("The URI is longer than 8192 bytes; `limit` gives the limit."),
    );
    responses.insert(
        "431".into(),
        error_response(
            "The request headers are over 32768 bytes (names and values) or over 100 headers; `limit` gives the byte limit.",
        ),
    );
    responses
}

/// An operation's responses: `own` over the common ones.
fn responses(query: &str, own: Value) -> Value {
    let mut all = common_errors(query);
    if let Value::Object(own) = own {
        all.extend(own);
    }
    Value::Object(all)
}

/// The schemas of the service's own bodies: errors, batch error records, the policy, health.
fn service_schemas() -> serde_json::Map<String, Value> {
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "description": "Every refusal of the service: what is wrong and what to do, with the fields that apply.",
            "properties": {
                "error": { "type": "string", "description": "What is wrong and what to do." },
                "code": { "type": "string", "pattern": "^C[0-9]{4}$", "description": "The case error code (C0001…, see docs/decide.md), when the refusal is about the case." },
                "field": { "type": "string", "nullable": true, "description": "The field of the case (e.g. `events[2].at`) or the query parameter (e.g. `now`) it is about." },
                "line": { "type": "integer", "nullable": true, "description": "Where the body stops being JSON (1-based)." },
                "column": { "type": "integer", "nullable": true },
                "id": { "type": "string", "nullable": true, "description": "The case id, when it could be read." },
                "limit": { "type": "number", "description": "The limit exceeded: bytes (413, 414, 431), cases (413), seconds (408), batches at once (503)." },
                "endpoints": { "type": "array", "items": { "type": "string" }, "description": "The endpoints (404 of a path, 405)." },
                "roles": { "type": "array", "items": { "type": "string" }, "description": "The roles of the policy (404 of a role)." },
                "scope": { "type": "string", "enum": ["decide", "read", "admin"], "description": "The scope the client's token lacks (403)." }
            }
        }),
    );
    schemas.insert(
        "BatchError".into(),
        json!({
            "type": "object",
            "required": ["line", "error"],
            "description": "An item of a batch that was not decided: not JSON, not a case, a case the policy refuses, or an id seen before. `line` is its 1-based line (NDJSON) or position (JSON array).",
            "properties": {
                "line": { "type": "integer" },
                "code": { "type": "string", "pattern": "^C[0-9]{4}$", "description": "The case error code (C0001…, see docs/decide.md)." },
                "id": { "type": "string", "nullable": true },
                "field": { "type": "string", "nullable": true },
                "error": { "type": "string" }
            }
        }),
    );
    let named = json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["name", "label"],
            "properties": { "name": { "type": "string" }, "label": { "type": "string" } }
        }
    });
    schemas.insert(
        "Policy".into(),
        json!({
            "type": "object",
            "required": ["name", "title", "live_version", "generation", "versions", "channels", "categories", "severities", "roles"],
            "properties": {
                "name": { "type": "string" },
                "title": { "type": "string" },
                "live_version": { "type": "string", "nullable": true, "description": "The version in force at the server's clock; null when none is yet." },
                "generation": { "type": "integer", "description": "1 at start, +1 per reload" },
                "versions": { "type": "array", "items": {
                    "type": "object",
                    "required": ["version", "effective", "digest"],
                    "properties": {
                        "version": { "type": "string" },
                        "effective": { "type": "string", "format": "date", "nullable": true },
                        "digest": { "type": "string", "description": "sha256 of the version's source, hex" }
                    }
                }},
                "channels": named,
                "categories": named,
                "severities": named,
                "roles": { "type": "array", "items": {
                    "type": "object",
                    "required": ["id", "title", "department", "reports_to"],
                    "properties": {
                        "id": { "type": "string" },
                        "title": { "type": "string" },
                        "department": { "type": "string", "nullable": true },
                        "reports_to": { "type": "string", "nullable": true }
                    }
                }}
            }
        }),
    );
    schemas.insert(
        "Health".into(),
        json!({
            "type": "object",
            "required": ["status"],
            "properties": { "status": { "type": "string", "enum": ["ok"] } }
        }),
    );
    schemas.insert("Ready".into(), ready_schema());
    schemas
}

fn ready_schema() -> Value {
    json!({
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
    })
}

/// The `now` query parameter of both decide operations.
fn now_parameter() -> Value {
    json!({
        "name": "now", "in": "query", "required": false,
        "description": "The instant to evaluate states at, RFC 3339 with an offset, in the years 1900 to 2199 as written; default: the server's clock. An empty or malformed value, or one outside those years, is refused 400; an instant whose states cannot be computed (outside a calendar's range) makes the case 422.",
        "schema": { "type": "string", "format": "date-time", "pattern": "^(19|20|21)[0-9]{2}-", "example": "2026-11-30T12:00:00+08:00" }
    })
}

/// The example case of the documentation, decided 200 under the complaint office's policy.
const EXAMPLE_CASE: &str =
    include_str!("../../examples/cases/complaint-office/accepted-phone.json");

fn json_body(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn decide_operation(case: &Value, decision: &Value) -> Value {
    let example: Value = serde_json::from_str(EXAMPLE_CASE).unwrap_or(Value::Null);
    json!({
        "operationId": "decide",
        "summary": "Decide one case",
        "parameters": [now_parameter()],
        "requestBody": { "required": true, "content": { "application/json": { "schema": case, "example": example } } },
        "responses": responses("it takes `now`", json!({
            "200": { "description": "The decision.", "content": json_body(decision.clone()) },
            "400": error_response("The body is not UTF-8, not JSON, or not a case (a missing field, a wrong type, an unknown field; `field`, `line` and `column` say where); or `now` is empty, not RFC 3339, or outside the years 1900 to 2199; or a query parameter other than `now`, or `now` twice."),
            "413": error_response("The body is larger than --max-body (default 1 MiB); or the decision's answer alone is larger than --max-answers-memory (default 256 MiB). `limit` gives the limit."),
            "415": error_response("The content type is not application/json."),
            "422": error_response("A case, but the policy refuses to decide it: a channel, category, severity, role or attribute the policy does not have, events out of order, `received_at` outside the years 1900 to 2199, no version of the policy in force when it was received, or a deadline outside what a calendar covers. `field` and `id` say which."),
            "503": unavailable("With --decision-log: the decision log could not record the decision, so it is not answered (nothing was recorded). Or the answers not yet read by their clients hold --max-answers-memory (default 256 MiB) already, and this one does not fit beside them (`limit` gives the limit; nothing was recorded). Send the case again after `Retry-After` seconds.")
        }))
    })
}

fn batch_operation(decision: &Value) -> Value {
    let item = json!({ "description": "Any JSON value: each is decided as a case, and one that is not a case, or that the policy refuses, becomes a BatchError record at its position." });
    let counts = json!({
        "x-charter-cases": { "description": "Items read", "schema": { "type": "integer" } },
        "x-charter-errors": { "description": "Items answered with a BatchError", "schema": { "type": "integer" } }
    });
    json!({
        "operationId": "decideBatch",
        "summary": "Decide many cases",
        "description": "NDJSON in, NDJSON out (one decision or BatchError per non-blank line, in order); or a JSON array of any values in, a JSON array out (one decision or BatchError per item, in order). An item that is not a case does not fail the batch: the answer is 200 and the item's record is a BatchError saying what is wrong. Duplicate ids are refused as BatchErrors too.",
        "parameters": [now_parameter()],
        "requestBody": { "required": true, "content": {
            "application/x-ndjson": { "schema": { "type": "string", "description": "Lines of JSON, each decided as a case; blank lines are skipped. Any text: a line that is not a case becomes a BatchError." } },
            "application/json": { "schema": { "type": "array", "items": item } }
        }},
        "responses": responses("it takes `now`", json!({
            "200": { "description": "One record per item, in input order: the decision, or a BatchError.", "headers": counts, "content": {
                "application/x-ndjson": { "schema": { "type": "string" } },
                "application/json": { "schema": { "type": "array", "items": { "anyOf": [decision, { "$ref": "#/components/schemas/BatchError" }] } } }
            }},
            "400": error_response("An application/json body that is not a JSON array (`line` and `column` say where it stops being one); or `now` is empty, not RFC 3339, or outside the years 1900 to 2199; or a query parameter other than `now`, or `now` twice."),
            "413": error_response("The body is over --max-batch-body (default 16 MiB) or holds more than --max-batch-cases items (default 10,000), refused as the byte or item past the limit arrives; or the batch's answer alone is larger than --max-answers-memory (default 256 MiB). `limit` gives the limit."),
            "415": error_response("The content type is neither application/x-ndjson nor application/json."),
            "503": {
                "description": "--max-concurrent-batches batches (default one per core) are being decided already (`limit` gives the number); or the answers not yet read by their clients hold --max-answers-memory (default 256 MiB) already, and this batch's does not fit beside them (`limit` gives the bytes); or, with --decision-log, the log could not record the batch's decisions. In each case no decision of the batch is answered or recorded; retry after the seconds in `Retry-After`.",
                "headers": { "Retry-After": { "schema": { "type": "integer" }, "example": 1 } },
                "content": json_body(json!({ "$ref": "#/components/schemas/Error" }))
            }
        }))
    })
}

fn role_operation() -> Value {
    json!({
        "operationId": "role",
        "summary": "A role's position description",
        "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "office_director" },
            { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["md", "html"], "default": "md" } },
            { "name": "lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["zh", "en"], "default": "zh" } }
        ],
        "responses": responses("it takes `format` and `lang`", json!({
            "200": { "description": "The document.", "content": {
                "text/markdown": { "schema": { "type": "string" } },
                "text/html": { "schema": { "type": "string" } }
            }},
            "400": error_response("A format other than md or html, a language other than zh or en (`field` names the parameter), or a query parameter other than these, or one given twice."),
            "404": error_response("No such role; `roles` lists them.")
        }))
    })
}

/// A 503 with `Retry-After`.
fn unavailable(description: &str) -> Value {
    let mut response = error_response(description);
    response["headers"] = json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer" } } });
    response
}

/// `GET /v1/decisions/{id}`.
fn decision_record_operation(record: Value) -> Value {
    json!({
        "operationId": "decisionRecord",
        "summary": "A decision the service answered and recorded (with --decision-log)",
        "parameters": [
            { "name": "id", "in": "path", "required": true, "description": "The decision's `decision_id`.", "schema": { "type": "string", "format": "uuid" }, "example": "019ae9a0-1c2b-7d3e-8f40-123456789abc" }
        ],
        "responses": responses("it takes none", json!({
            "200": { "description": "The recorded decision, its case and the policy version that decided it.", "content": json_body(record) },
            "400": error_response("The id is not a decision id (36 characters of hex with hyphens); `field` is `id`."),
            "404": error_response("The log has no decision with this id, or the service keeps no decision log (it was started without --decision-log)."),
            "503": error_response("The decision log could not be read.")
        }))
    })
}

/// The body of `GET /v1/decisions/{id}`.
fn decision_record_schema(case: &Value, decision: &Value) -> Value {
    json!({
        "type": "object",
        "description": "A decision as recorded in the decision log before it was answered.",
        "required": ["decision_id", "logged_at", "caller", "policy", "input_digest", "evaluated_at", "redacted", "case", "decision"],
        "additionalProperties": false,
        "properties": {
            "decision_id": { "type": "string", "format": "uuid", "description": "The decision's id." },
            "logged_at": { "type": "string", "format": "date-time", "description": "When it was recorded (UTC, milliseconds)." },
            "caller": { "type": "string", "nullable": true, "description": "Who asked (the name of the caller's token), when the service knows." },
            "policy": {
                "type": "object",
                "required": ["name", "version", "digest"],
                "additionalProperties": false,
                "properties": {
                    "name": { "type": "string" },
                    "version": { "type": "string" },
                    "digest": { "type": "string", "pattern": "^[0-9a-f]{64}$" }
                }
            },
            "input_digest": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the case as it was decided (RFC 8785 canonical JSON): of `case` itself when `redacted` is empty." },
            "evaluated_at": { "type": "string", "format": "date-time", "description": "The instant the case was decided at (UTC)." },
            "redacted": { "type": "array", "items": { "type": "string" }, "description": "The fields of `case` the policy marks `personal` whose values the log holds as keyed hashes (`hmac-sha256:…`); `input_digest` is of the case before, so it cannot be checked against `case` then." },
            "case": case,
            "decision": decision
        }
    })
}

/// A `GET` without parameters, answering `ok` (a response object) when it succeeds.
fn simple_get(id: &str, summary: &str, ok: Value) -> Value {
    json!({
        "operationId": id,
        "summary": summary,
        "responses": responses("it takes none", json!({ "200": ok }))
    })
}

/// The document, generated now.
pub fn document() -> Value {
    let mut schemas = serde_json::Map::new();
    let mut reader = SchemaSettings::openapi3()
        .for_deserialize()
        .into_generator();
    let case = Value::from(reader.subschema_for::<Case>());
    schemas.extend(reader.take_definitions(true));
    let mut writer = SchemaSettings::openapi3().for_serialize().into_generator();
    let decision = Value::from(writer.subschema_for::<Decision<'static>>());
    schemas.extend(writer.take_definitions(true));
    schemas.extend(service_schemas());
    schemas.insert(
        "DecisionRecord".into(),
        decision_record_schema(&case, &decision),
    );
    let reference = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let ok = |description: &str, name: &str| json!({ "description": description, "content": json_body(reference(name)) });
    let mut document = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "charter",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Where a complaint goes and when it is due: decisions under a compiled complaint-handling policy. Field names of the decision are the contract described in docs/decide.md. Every refusal has a JSON body (the Error schema), also those no operation lists: a path that is none of these is 404 with `endpoints`, a method a path does not take is 405 with `endpoints` and an `Allow` header. A client that takes longer than --header-timeout (default 10 s) to send a request's line and headers is disconnected without an answer."
        },
        "paths": {
            "/v1/decide": { "post": decide_operation(&case, &decision) },
            "/v1/decide/batch": { "post": batch_operation(&decision) },
            "/v1/decisions/{id}": { "get": decision_record_operation(reference("DecisionRecord")) },
            "/v1/policy": { "get": simple_get("policy", "The policy served: name, versions with digests, the live version, channels, categories, severities, roles", ok("The policy.", "Policy")) },
            "/v1/roles/{id}": { "get": role_operation() },
            "/healthz": { "get": simple_get("healthz", "The process is up", ok("`{\"status\": \"ok\"}`", "Health")) },
            "/readyz": { "get": simple_get("readyz", "A policy is loaded and served; how long its calendars stay valid", ok("Each calendar the policy decides with that has a valid range, its last valid day and the days left (negative once ended); an E0021 warning for each within 90 days of its end (the service stays ready).", "Ready")) },
            "/metrics": { "get": simple_get("metrics", "Prometheus metrics: requests, latency, decisions by outcome, reloads, days left in each calendar's valid range", json!({ "description": "The Prometheus text format.", "content": { "text/plain": { "schema": { "type": "string" } } } })) },
            "/openapi.json": { "get": simple_get("openapi", "This document", json!({ "description": "The OpenAPI document.", "content": json_body(json!({ "type": "object" })) })) }
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "With `charter serve --tokens FILE`: the client's token. Without --tokens the service asks for none." } }
        }
    });
    guard(&mut document);
    document
}

/// With `--tokens`, every operation but health, readiness and this document needs a bearer
/// token holding its scope, and each client has limits: say so on each.
fn guard(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if matches!(path.as_str(), "/healthz" | "/readyz" | "/openapi.json") {
            continue;
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let scope = if method == "post" { "decide" } else { "read" };
            operation["security"] = json!([{ "bearer": [] }, {}]);
            let responses = &mut operation["responses"];
            responses["401"] = error_response(
                "With --tokens: no `Authorization: Bearer TOKEN`, or a token the service does not know. `WWW-Authenticate: Bearer` is sent.",
            );
            responses["403"] = error_response(&format!(
                "With --tokens: the client's token does not hold the scope `{scope}` (`admin` holds every scope); `scope` names it."
            ));
            let mut limited = error_response(
                "With --tokens and --token-rate or --token-concurrency: the client is over its limit; retry after `Retry-After` seconds.",
            );
            limited["headers"] = json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer" } } });
            responses["429"] = limited;
        }
    }
}
