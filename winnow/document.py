"""Documents: the paragraphs of one page and where each stands in the text.

Two ways in, one shape out. Plain text is split into lines (blank lines and
surrounding whitespace separate paragraphs and are not paragraphs themselves);
a list of paragraphs is kept exactly as given, and its offsets point into the
paragraphs joined with ``"\\n"``. Either way ``doc.text[start:end]`` is the
paragraph's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

# A run of characters that are neither line breaks nor surrounded by
# whitespace: one paragraph of plain text. \r, \n, \v, \f and the Unicode line
# and paragraph separators all end a line, as str.splitlines() would have it.
_PARAGRAPH = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")

PARAGRAPH_JOINER = "\n"


@dataclass(frozen=True)
class Document:
    """The paragraphs of one document with their character offsets."""

    text: str
    paragraphs: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    id: Any = None

    def __len__(self) -> int:
        return len(self.paragraphs)

    @classmethod
    def from_text(cls, text: str, id: Any = None) -> "Document":
        """Split plain text into paragraphs: one per non-blank line, stripped."""
        paragraphs, starts, ends = [], [], []
        for match in _PARAGRAPH.finditer(text):
            line = match.group()
            stripped = line.strip()
            if not stripped:
                continue
            start = match.start() + (len(line) - len(line.lstrip()))
            paragraphs.append(stripped)
            starts.append(start)
            ends.append(start + len(stripped))
        return cls(text, tuple(paragraphs), tuple(starts), tuple(ends), id)

    @classmethod
    def from_paragraphs(cls, paragraphs: Sequence[str], id: Any = None) -> "Document":
        """Keep every given paragraph as it is, blank ones included."""
        starts, ends = [], []
        position = 0
        for paragraph in paragraphs:
            starts.append(position)
            position += len(paragraph)
            ends.append(position)
            position += len(PARAGRAPH_JOINER)
        text = PARAGRAPH_JOINER.join(paragraphs)
        return cls(text, tuple(paragraphs), tuple(starts), tuple(ends), id)


def count_paragraphs(text: str) -> int:
    """How many paragraphs `Document.from_text` would find, without building them."""
    return sum(1 for match in _PARAGRAPH.finditer(text) if not match.group().isspace())
