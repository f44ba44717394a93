"""Request bodies into documents, or into the error that says why not.

A request-level fault (no body, a body that is not UTF-8 or JSON, a batch
over the limit) raises `InvalidInput` or `Problem` and fails the request. In
a batch, a document that is wrong on its own becomes an error entry
``{"id", "error": {"code", "detail"}}`` in its place, and the rest go on.
"""
from __future__ import annotations

import json
import math
from typing import Any, Iterator

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from serve.errors import Problem
from serve.settings import Settings
from winnow.document import Document
from winnow.document import LINES
from winnow.inputs import InvalidInput, confidence_threshold, decode_text, document_from_json, paragraph_split

JSON = "application/json"
NDJSON = "application/x-ndjson"
TEXT = "text/plain"
HTML = "text/html"

Item = Document | dict  # a document to label, or the error entry that stands in its place


def body(request: Request, accepted: tuple[str, ...]) -> bytes:
    """The whole body, once it is known to be non-empty and of an accepted media type.

    Reading it first enforces the body limit and drains the connection before
    any answer. Werkzeug raises 413 itself for a Content-Length over the limit,
    but cuts a chunked body at the limit without a word: one more byte after
    the limit tells that it was too large.
    """
    try:
        data = request.get_data(cache=False)
        if request.content_length is None and len(data) >= request.max_content_length \
                and request.input_stream.read(1):
            raise RequestEntityTooLarge()
    except (ClientDisconnected, OSError):  # the socket's receive timeout (serve.main.limit_silence)
        raise Problem(408, "request_timeout", "the body stopped arriving before it was complete; "
                      "send the whole body without pausing") from None
    if not data:
        raise InvalidInput("empty_body", f"the request has no body; send {_either(accepted)}")
    if request.mimetype not in accepted:
        raise Problem(415, "unsupported_media_type", _unsupported(request.mimetype, accepted))
    return data


def flag_below(request: Request) -> float | None:
    """The `flag_below` query parameter: the confidence under which paragraphs are flagged, if asked for."""
    raw = request.args.get("flag_below")
    return None if raw is None else confidence_threshold(raw)


def split(request: Request) -> str:
    """The `split` query parameter: how plain text is parted into paragraphs (`Document.from_text`)."""
    return paragraph_split(request.args.get("split", LINES))


def json_value(data: bytes) -> Any:
    """Parsed UTF-8 JSON; NaN, Infinity and numbers too large for a float are refused."""
    text = decode_text(data)
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_finite)
    except RecursionError:
        raise InvalidInput("invalid_json", "the JSON is nested too deeply") from None
    except ValueError as error:
        raise InvalidInput("invalid_json", f"the body is not valid JSON: {error}") from None


def document(data: bytes, mimetype: str, settings: Settings, split: str = LINES) -> Document:
    """The one document of a JSON object or of plain text (the same as ``{"text": body}``)."""
    obj = json_value(data) if mimetype == JSON else {"text": decode_text(data)}
    return _document(obj, settings.max_paragraphs, split)


def json_batch(data: bytes, settings: Settings, split: str = LINES) -> list[Item]:
    """The items of ``{"documents": [...]}``, in order."""
    obj = json_value(data)
    if not isinstance(obj, dict) or not isinstance(obj.get("documents"), list):
        raise InvalidInput("invalid_batch", 'a batch must be a JSON object {"documents": [...]}')
    _check_count(len(obj["documents"]), settings.max_documents)
    return [_item(entry, settings.max_paragraphs, split) for entry in obj["documents"]]


def ndjson_batch(data: bytes, settings: Settings, split: str = LINES) -> Iterator[Item]:
    """The items of one JSON document per line (blank lines skipped), parsed as they are read.

    Lines are split on ``\\n`` alone: U+2028 and friends may stand inside a
    JSON string. The lines are counted before the first is parsed, so that a
    batch over the limit fails whole, before any result is streamed.
    """
    lines = [(number, line) for number, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    _check_count(len(lines), settings.max_documents)
    return (_line_item(number, line, settings.max_paragraphs, split) for number, line in lines)


def _document(obj: Any, max_paragraphs: int, split: str) -> Document:
    """`document_from_json`, refusing the lone surrogates that a JSON escape can bring in."""
    parsed = document_from_json(obj, max_paragraphs, split)
    try:
        parsed.text.encode("utf-8")
    except UnicodeEncodeError as error:
        surrogate = ord(parsed.text[error.start])
        raise InvalidInput("invalid_unicode",
                           f"the text has a lone surrogate U+{surrogate:04X} at character {error.start}: "
                           "\\uD800-\\uDFFF escapes must come in pairs") from None
    return parsed


def _item(obj: Any, max_paragraphs: int, split: str, **where: int) -> Item:
    try:
        return _document(obj, max_paragraphs, split)
    except InvalidInput as error:
        return _error_entry(obj, error, **where)


def _line_item(number: int, line: bytes, max_paragraphs: int, split: str) -> Item:
    try:
        obj = json_value(line)
    except InvalidInput as error:
        return _error_entry(None, error, line=number)
    return _item(obj, max_paragraphs, split, line=number)


def _error_entry(obj: Any, error: InvalidInput, **where: int) -> dict:
    """``{"id", **where, "error": {"code", "detail"}}``, the id echoed only when it is a valid one."""
    doc_id = obj.get("id") if isinstance(obj, dict) and error.code != "invalid_id" else None
    return {"id": doc_id, **where, "error": {"code": error.code, "detail": error.detail}}


def _check_count(count: int, limit: int) -> None:
    if count > limit:
        raise InvalidInput("too_many_documents", f"the batch has {count} documents; the limit is {limit}")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _either(accepted: tuple[str, ...]) -> str:
    return " or ".join(accepted)


def _unsupported(mimetype: str, accepted: tuple[str, ...]) -> str:
    if mimetype == HTML:
        return (f"HTML input is not supported yet; send the page's text as {TEXT}, "
                f'or {JSON} with "text" or "paragraphs"')
    sent = f"the body is {mimetype}" if mimetype else "the request has no Content-Type"
    return f"{sent}; send {_either(accepted)}"
