"""Documents: the paragraphs of one page and where each stands in the text.

Two ways in, one shape out. Plain text is split into lines (blank lines and
surrounding whitespace separate paragraphs and are not paragraphs themselves);
a list of paragraphs is kept exactly as given, and its offsets point into the
paragraphs joined with ``"\\n"``. Either way ``doc.text[start:end]`` is the
paragraph's text.

Text wrapped at a fixed width (``lynx -dump``, html2text, e-mail) breaks
one paragraph over several lines; read it with ``split=BLANK_LINES`` and only
blank lines part paragraphs. The line breaks inside a paragraph stay in its
text, and the features read them as spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

# \r, \n, \v, \f and the Unicode line and paragraph separators all end a line,
# as str.splitlines() would have it. All but \r, for a character class: \r
# stands apart because "\r\n" is one break.
_BREAKS = r"\n\v\f\x1c-\x1e\x85\u2028\u2029"
# A run of characters that are not line breaks: one paragraph of plain text
# (once stripped of surrounding whitespace).
_PARAGRAPH = re.compile(rf"[^\r{_BREAKS}]+")
# Where a blank line parts two paragraphs: a line break, then one or more lines
# of nothing but spaces, each ending in a line break.
_LINE_BREAK = rf"(?:\r\n|\r(?!\n)|[{_BREAKS}])"
_BLANK_LINES = re.compile(rf"{_LINE_BREAK}(?:[^\S\r{_BREAKS}]*{_LINE_BREAK})+")

LINES = "lines"
BLANK_LINES = "blank-lines"
SPLITS = (LINES, BLANK_LINES)

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
    def from_text(cls, text: str, id: Any = None, split: str = LINES) -> "Document":
        """Split plain text into paragraphs, stripped: one per non-blank line, or with
        ``split=BLANK_LINES`` one per run of non-blank lines."""
        paragraphs, starts, ends = [], [], []
        for chunk, chunk_start in _chunks(text, split):
            stripped = chunk.strip()
            if not stripped:
                continue
            start = chunk_start + (len(chunk) - len(chunk.lstrip()))
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


def count_paragraphs(text: str, split: str = LINES) -> int:
    """How many paragraphs `Document.from_text` would find, without building them."""
    return sum(1 for chunk, _ in _chunks(text, split) if chunk and not chunk.isspace())


def check_split(split: str) -> str:
    """`split` if it is one of `SPLITS`, else a `ValueError` that names them."""
    if split not in SPLITS:
        raise ValueError(f"split must be {' or '.join(SPLITS)}, not {split!r}")
    return split


def _chunks(text: str, split: str) -> Iterator[tuple[str, int]]:
    """The stretches of `text` that hold at most one paragraph each, with where each starts."""
    if check_split(split) == LINES:
        return ((match.group(), match.start()) for match in _PARAGRAPH.finditer(text))
    bounds = [0, *(i for match in _BLANK_LINES.finditer(text) for i in match.span()), len(text)]
    return ((text[start:end], start) for start, end in zip(bounds[::2], bounds[1::2]))
