"""The visible text blocks of an HTML page, in reading order.

A block is what a scraper that keeps every block-level element would emit as
one line: the text between two block boundaries (the start or end of a
block-level element, or a ``<br>``), whitespace collapsed. Along with the text
each block carries the structure the weak-labelling rules look at: its
enclosing tag, the class/id/role/aria-label tokens around it, and how much of
it is link text.

L3S-GN1 annotated pages wrap assessed text in ``<span class="x-nc-selN">``;
:func:`page_blocks` records, per block, how many characters fell under each
such class, and drops elements of class ``x-nc-invisible``. Wayback Machine
captures (most Big9 pages) carry the archive's own toolbar, which is dropped too:
it was never part of the page.
"""
from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree, html as lxml_html

BLOCK_TAGS = frozenset("""
    address article aside blockquote caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend
    li main menu nav ol optgroup option p pre section summary table tbody td tfoot th
    thead tr ul
""".split())
SKIPPED_TAGS = frozenset("""
    script style noscript template head title iframe frame frameset svg math object
    embed canvas audio video textarea
""".split())
ANNOTATION_PREFIX = "x-nc-sel"
INVISIBLE_CLASS = "x-nc-invisible"
WAYBACK_TOOLBAR_ID = "wm-ipp"
UNANNOTATED = ""
HINT_LEVELS = 6
"""Hints come from the text's own element and its nearest ancestors, this many
levels in all: a class far up (a page wrapper's "has-ads") says little about
one line of text."""

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCUMENT_END_TAG = re.compile(r"</(?:html|body)\s*>", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Browsers read these labels as windows-1252, and so do we.
_CP1252_ALIASES = {"iso8859-1", "latin-1", "ascii"}


@dataclass(frozen=True)
class Block:
    """One block of visible text and the structure around it."""

    text: str
    tag: str
    """The innermost enclosing block-level tag ("body" when there is none)."""
    hints: tuple[str, ...]
    """Lower-cased class/id/role/aria-label tokens of the elements the text sits
    in and of their nearest ancestors (HINT_LEVELS levels; html and body
    excluded), innermost first, each composite name also split into its parts:
    "relatedStories" gives "relatedstories", "related", "stories"."""
    link_chars: int
    """Non-space characters of the text that sit inside an ``<a>``."""
    annotations: tuple[tuple[str, int], ...] = ()
    """L3S only: (annotation class, non-space characters under it); the class
    is "" for text under no ``x-nc-selN`` span."""

    @property
    def link_density(self) -> float:
        chars = _non_space(self.text)
        return min(1.0, self.link_chars / chars) if chars else 0.0


def decode_html(data: bytes) -> str:
    """Decode page bytes: a BOM, valid UTF-8, the declared charset, else windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode(_declared_encoding(data) or "cp1252", errors="replace")


def _declared_encoding(data: bytes) -> str | None:
    head_end = data.find(b"</head")
    match = _META_CHARSET.search(data, 0, head_end if head_end > 0 else 200_000)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "cp1252" if name in _CP1252_ALIASES else name


def hint_tokens(element: etree._Element) -> tuple[str, ...]:
    """The element's own class/id/role/aria-label tokens with their parts."""
    values = (element.get("class") or "").split()
    values += [element.get("id") or "", element.get("role") or ""]
    values += (element.get("aria-label") or "").split()
    tokens: list[str] = []
    for value in values:
        if not value or value.startswith("x-nc-"):
            continue
        whole = _NON_WORD.sub("", value.lower())
        parts = [p for p in _NON_WORD.split(_CAMEL.sub(" ", value).lower()) if p and not p.isdigit()]
        for token in [whole, *parts] if len(parts) > 1 else [whole]:
            if token and token not in tokens:
                tokens.append(token)
    return tuple(tokens)


def page_blocks(html: str) -> list[Block]:
    """The non-empty text blocks of a page in reading order."""
    root = _parse(html)
    if root is None:
        return []
    builder = _BlockBuilder()
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):
            builder.add_text(element.tail)
        elif event == "start":
            if _is_hidden(element):
                walker.skip_subtree()
            else:
                builder.open(element)
        else:
            builder.close(element)
            builder.add_text(element.tail)
    builder.flush()
    return builder.blocks


def _parse(html: str) -> etree._Element | None:
    """The page's tree, parsed as a browser would as far as text goes.

    libxml2 drops everything after the first ``</html>`` or ``</body>``, while
    browsers ignore those end tags; pages with an embedded ad document (an
    ``<html>`` inside a table cell) would lose their article. So they go.
    """
    html = _XML_DECLARATION.sub("", html.replace("\x00", ""), count=1)
    html = _DOCUMENT_END_TAG.sub("", html)
    if not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _is_hidden(element: etree._Element) -> bool:
    """Comments, non-text elements (script, style, head …) and invisible elements."""
    if not isinstance(element.tag, str) or element.tag.lower() in SKIPPED_TAGS:
        return True
    classes = (element.get("class") or "").split()
    return (INVISIBLE_CLASS in classes
            or element.get("hidden") is not None
            or (element.get("id") or "").startswith(WAYBACK_TOOLBAR_ID)
            or bool(_HIDDEN_STYLE.search(element.get("style") or "")))


def _non_space(text: str) -> int:
    return len(text) - text.count(" ")


@dataclass(frozen=True)
class _Frame:
    element: etree._Element
    tag: str
    hint_levels: tuple[tuple[str, ...], ...]
    """Own hint tokens first, then the parent's, up to HINT_LEVELS levels."""
    annotation: str
    in_link: bool


@dataclass(frozen=True)
class _Piece:
    text: str
    hints: tuple[str, ...]
    annotation: str
    in_link: bool


class _BlockBuilder:
    """Accumulates text pieces between block boundaries into Blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.frames: list[_Frame] = []
        self.pieces: list[_Piece] = []

    def open(self, element: etree._Element) -> None:
        tag = element.tag.lower()
        if tag in BLOCK_TAGS or tag == "br":
            self.flush()
        parent = self.frames[-1] if self.frames else None
        own_hints = () if tag in ("html", "body") else hint_tokens(element)
        inherited = parent.hint_levels[:HINT_LEVELS - 1] if parent else ()
        annotation = next((c for c in (element.get("class") or "").split()
                           if c.startswith(ANNOTATION_PREFIX)), None)
        self.frames.append(_Frame(
            element, tag,
            (own_hints, *inherited),
            annotation or (parent.annotation if parent else UNANNOTATED),
            tag == "a" or bool(parent and parent.in_link)))
        self.add_text(element.text)

    def close(self, element: etree._Element) -> None:
        if not self.frames or self.frames[-1].element is not element:
            return  # a skipped (hidden) element: it never got a frame
        if self.frames[-1].tag in BLOCK_TAGS:
            self.flush()
        self.frames.pop()

    def add_text(self, text: str | None) -> None:
        if text and self.frames:
            top = self.frames[-1]
            hints = tuple(dict.fromkeys(t for level in top.hint_levels for t in level))
            self.pieces.append(_Piece(text, hints, top.annotation, top.in_link))

    def flush(self) -> None:
        pieces, self.pieces = self.pieces, []
        text = _SPACE.sub(" ", "".join(p.text for p in pieces)).strip()
        if not text:
            return
        link_chars = 0
        annotations: Counter[str] = Counter()
        hints: dict[str, None] = {}
        for piece in pieces:
            chars = len(_SPACE.sub("", piece.text))
            link_chars += chars if piece.in_link else 0
            if chars:
                annotations[piece.annotation] += chars
            hints.update(dict.fromkeys(piece.hints))
        tag = next((f.tag for f in reversed(self.frames) if f.tag in BLOCK_TAGS), "body")
        annotated = any(a != UNANNOTATED for a in annotations)
        self.blocks.append(Block(
            text=text,
            tag=tag,
            hints=tuple(hints),
            link_chars=link_chars,
            annotations=tuple(sorted(annotations.items())) if annotated else (),
        ))
