"""The OpenAPI 3.1 description of the service, served at ``/openapi.json``.

Kept in step with the routes by the tests: the spec is validated, and the
bodies the real server sends are validated against its schemas.
"""
from __future__ import annotations

from typing import Any

import winnow
from winnow.document import LINES, SPLITS
from winnow.labels import LABELS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _string(description: str) -> dict[str, Any]:
    """A media type whose body is text, described in words."""
    return {"schema": {"type": "string", "description": description}}


_ID = {"type": ["string", "number", "null"], "description": "the caller's id, echoed back"}
_OFFSET = {"type": "integer", "minimum": 0}
_LABEL = {"type": "string", "enum": list(LABELS)}

_TEXT = {"type": "string", "pattern": "^[^\\u0000]*$",
         "description": "text without NUL characters (those get 400 binary_content)"}

SCHEMAS: dict[str, Any] = {
    "Document": {
        "type": "object",
        "description": "Exactly one of `text` (plain text: one paragraph per non-blank line, stripped; "
                       "see `split`) or `paragraphs` (kept exactly as given; offsets point into them "
                       "joined by \"\\n\").",
        "properties": {
            "id": _ID,
            "text": _TEXT,
            "paragraphs": {"type": "array", "items": _TEXT},
        },
        "oneOf": [{"required": ["text"], "not": {"required": ["paragraphs"]}},
                  {"required": ["paragraphs"], "not": {"required": ["text"]}}],
    },
    "Paragraph": {
        "type": "object",
        "required": ["index", "text", "label", "confidence", "start", "end"],
        "properties": {
            "index": _OFFSET,
            "text": {"type": "string"},
            "label": _LABEL,
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "start": _OFFSET,
            "end": _OFFSET,
            "uncertain": {"type": "boolean", "description": "only with `flag_below`: confidence < flag_below"},
        },
    },
    "Segment": {
        "type": "object",
        "description": "A maximal run of paragraphs `first`..`last` with one label.",
        "required": ["label", "first", "last", "start", "end"],
        "properties": {"label": _LABEL, "first": _OFFSET, "last": _OFFSET, "start": _OFFSET, "end": _OFFSET},
    },
    "Result": {
        "type": "object",
        "required": ["id", "model", "paragraphs", "segments", "article"],
        "properties": {
            "id": _ID,
            "model": _ref("ModelInfo"),
            "paragraphs": {"type": "array", "items": _ref("Paragraph")},
            "segments": {"type": "array", "items": _ref("Segment")},
            "article": {"type": "string", "description": "the `article` paragraphs joined by blank lines"},
        },
    },
    "ModelInfo": {
        "type": "object",
        "required": ["name", "version"],
        "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
    },
    "DocumentError": {
        "type": "object",
        "description": "Stands in a batch in place of the result of a document that could not be "
                       "segmented. `line` (NDJSON only) is its 1-based line number.",
        "required": ["id", "error"],
        "properties": {
            "id": _ID,
            "line": {"type": "integer", "minimum": 1},
            "error": {
                "type": "object",
                "required": ["code", "detail"],
                "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
    "BatchRequest": {
        "type": "object",
        "required": ["documents"],
        # Any item is accepted: one that is not a valid Document gets a DocumentError in its place.
        "properties": {"documents": {"type": "array", "items": {
            "description": "a Document; anything else gets a DocumentError entry in the results"}}},
    },
    "BatchResponse": {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array",
                                   "items": {"oneOf": [_ref("Result"), _ref("DocumentError")]}}},
    },
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details; branch on `code`.",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "const": "about:blank"},
            "title": {"type": "string", "description": "the HTTP status phrase"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "what went wrong and what to send instead"},
            "code": {"type": "string", "description": "stable and machine-readable, e.g. `invalid_json`"},
        },
    },
}

_BAD_INPUT = {
    "400": _problem("The body could not be read: `empty_body`, `invalid_json`, `invalid_utf8`, "
                    "`binary_content` (NUL characters), `invalid_unicode` (a lone surrogate), "
                    "`invalid_chunked_body` (broken chunked transfer coding); a bad query parameter: "
                    "`invalid_threshold` (`flag_below`), `invalid_split` (`split`), `unknown_parameter`, "
                    "`repeated_parameter`; `bad_request`: HTTP the server cannot parse."),
    "401": _problem("`unauthorized`: API keys are configured and none valid was sent."),
    "405": _problem("`method_not_allowed`: a method the path does not take (`not_found` for a path that "
                    "does not exist)."),
    "408": _problem("`request_timeout`: the body stopped arriving for WINNOW_CLIENT_TIMEOUT seconds."),
    "413": _problem("Over a limit: `body_too_large` (WINNOW_MAX_BODY_BYTES), `too_many_paragraphs` "
                    "(WINNOW_MAX_PARAGRAPHS per document), `too_many_documents` (WINNOW_MAX_DOCUMENTS)."),
    "414": _problem("`request_line_too_long`: a request line over 4 KB."),
    "415": _problem("`unsupported_media_type`, HTML included (not supported yet); `unsupported_charset` for "
                    "a charset other than UTF-8; `unsupported_content_encoding` for a compressed body."),
    "422": _problem("The JSON is not a document: `not_an_object`, `missing_content`, `ambiguous_content`, "
                    "`invalid_text`, `invalid_paragraphs`, `invalid_id`, `invalid_batch`."),
    "431": _problem("`headers_too_large`: headers over 8 KB."),
    "417": _problem("`expectation_failed`: an `Expect` header other than `100-continue`."),
    "501": _problem("`not_implemented`: a transfer coding the server does not know (`forbidden`, 403, for a PROXY "
                    "protocol line from an address not allowed to send one)."),
    "500": _problem("`internal_error`: a fault of the server, logged; the client's request was not at fault."),
}

_FLAG_BELOW = {
    "name": "flag_below", "in": "query", "required": False,
    "description": "Flag the paragraphs whose confidence is below this: each paragraph gets `uncertain`.",
    "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
}

_SPLIT = {
    "name": "split", "in": "query", "required": False,
    "description": "How a `text` is parted into paragraphs: at every line break (`lines`), or only at blank "
                   "lines (`blank-lines`), for text wrapped at a fixed width; the line breaks inside a "
                   "paragraph stay in its `text`. `paragraphs` are always kept as given.",
    "schema": {"type": "string", "enum": list(SPLITS), "default": LINES},
}

_LABELS_IN_PROSE = ", ".join(f"`{label}`" for label in LABELS[:-1]) + f" or `{LABELS[-1]}`"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "winnow",
        "version": winnow.__version__,
        "description": f"Labels every paragraph of a scraped news page as {_LABELS_IN_PROSE}, and returns the "
                       "document segmented. Bodies are UTF-8. Every error is `application/problem+json`. "
                       "When API keys are configured, all routes but `/`, `/health` and `/ready` need "
                       "`Authorization: Bearer <key>`.",
    },
    "security": [{}, {"bearer": []}],
    "paths": {
        "/segment": {
            "post": {
                "summary": "Segment one document",
                "parameters": [_FLAG_BELOW, _SPLIT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref("Document")},
                        "text/plain": {"schema": {
                            **_TEXT, "minLength": 1,
                            "description": 'the same as {"text": body}; an empty body is refused (400 empty_body)'}},
                    },
                },
                "responses": {"200": _json(_ref("Result"), "The segmented document."), **_BAD_INPUT},
            },
        },
        "/segment/batch": {
            "post": {
                "summary": "Segment many documents in one pass",
                "description": "A document that cannot be segmented gets a `DocumentError` in its place; "
                               "the others are segmented. With NDJSON the whole body is read first "
                               "(so limits fail the request before any output), then results are "
                               "streamed one per line, in order, as each chunk of documents is labelled.",
                "parameters": [_FLAG_BELOW, _SPLIT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref("BatchRequest")},
                        "application/x-ndjson": {"schema": {"type": "string", "minLength": 1,
                                                             "description": "one Document as JSON per line"}},
                    },
                },
                "responses": {
                    "200": {
                        "description": "One result or error entry per document, in order; "
                                       "NDJSON in gives NDJSON out.",
                        "content": {
                            "application/json": {"schema": _ref("BatchResponse")},
                            "application/x-ndjson": _string("one Result or DocumentError per line"),
                        },
                    },
                    **_BAD_INPUT,
                },
            },
        },
        "/health": {"get": {"summary": "Liveness", "security": [{}],
                            "responses": {"200": _json({"type": "object"}, "The process is up.")}}},
        "/ready": {"get": {"summary": "Readiness: the port opens only once the model is loaded",
                           "security": [{}],
                           "responses": {"200": _json({"type": "object", "required": ["status", "model"],
                                                       "properties": {"status": {"const": "ready"},
                                                                      "model": _ref("ModelInfo")}},
                                                      "The model is loaded.")}}},
        "/model": {"get": {"summary": "The model card",
                           "responses": {"200": _json({"type": "object"},
                                                      "The card the model was saved with.")}}},
        "/metrics": {"get": {
            "summary": "Prometheus metrics of the worker process that answers",
            "responses": {"200": {"description": "Prometheus text format 0.0.4.",
                                  "content": {"text/plain": _string("metrics")}}},
        }},
        "/openapi.json": {"get": {"summary": "This document",
                                  "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")}}},
        "/": {"get": {"summary": "A page to try the service in a browser", "security": [{}],
                      "responses": {"200": {"description": "HTML",
                                            "content": {"text/html": _string("the page")}}}}},
    },
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}
