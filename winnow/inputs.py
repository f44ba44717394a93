"""Checking what users send before it becomes a `Document`.

The CLI and the service both accept a document as a JSON object with either
``text`` (plain text, split into lines) or ``paragraphs`` (kept as given), and
an optional ``id``. Anything else is an `InvalidInput` with a stable code.
"""
from __future__ import annotations

from typing import Any

from winnow.document import Document


class InvalidInput(ValueError):
    """Input that cannot be segmented; `code` is stable and machine-readable."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def decode_text(body: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), or `InvalidInput`."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("invalid_utf8", f"the text is not valid UTF-8 (byte {error.start})") from None
    if "\x00" in text:
        raise InvalidInput("binary_content", "the text contains NUL bytes: it looks like binary data")
    return text


def document_from_json(obj: Any, max_paragraphs: int | None = None) -> Document:
    """A `Document` from ``{"id"?, "text" | "paragraphs"}``, checked field by field."""
    if not isinstance(obj, dict):
        raise InvalidInput("not_an_object", f"a document must be a JSON object, not {_json_type(obj)}")
    doc_id = obj.get("id")
    if isinstance(doc_id, bool) or (doc_id is not None and not isinstance(doc_id, (str, int, float))):
        raise InvalidInput("invalid_id", f"'id' must be a string or a number, not {_json_type(doc_id)}")
    has_text, has_paragraphs = "text" in obj, "paragraphs" in obj
    if has_text == has_paragraphs:
        raise InvalidInput("missing_content" if not has_text else "ambiguous_content",
                           "a document needs exactly one of 'text' (a string) or 'paragraphs' (a list of strings)")
    if has_text:
        text = obj["text"]
        if not isinstance(text, str):
            raise InvalidInput("invalid_text", f"'text' must be a string, not {_json_type(text)}")
        _reject_nul(text)
        document = Document.from_text(text, doc_id)
    else:
        paragraphs = obj["paragraphs"]
        if not isinstance(paragraphs, list):
            raise InvalidInput("invalid_paragraphs",
                               f"'paragraphs' must be a list of strings, not {_json_type(paragraphs)}")
        for index, paragraph in enumerate(paragraphs):
            if not isinstance(paragraph, str):
                raise InvalidInput("invalid_paragraphs",
                                   f"paragraph {index} must be a string, not {_json_type(paragraph)}")
            _reject_nul(paragraph)
        document = Document.from_paragraphs(paragraphs, doc_id)
    if max_paragraphs is not None and len(document) > max_paragraphs:
        raise InvalidInput("too_many_paragraphs",
                           f"the document has {len(document)} paragraphs; the limit is {max_paragraphs}")
    return document


def _reject_nul(text: str) -> None:
    if "\x00" in text:
        raise InvalidInput("binary_content", "the text contains NUL characters: it looks like binary data")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
