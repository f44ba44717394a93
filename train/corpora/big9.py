"""Big9 and Chaos (Utomo & Leu, 2019): news pages with their human-extracted article text.

Read straight from the corpus tarball: ``Extraction/SUBSET/html/NAME.htm(l)``
with ``Extraction/SUBSET/gold/NAME.txt``; the subset is part of the document
id. Only the article is marked, so a block is ``article`` when its text is part
of the gold text, and goes to the weak rules otherwise - except the story's
byline and dateline next to its title, which the gold texts leave out but the
guideline counts as article. Most Big9 pages are Wayback Machine captures:
their URL is read through the archive's link rewriting. A page whose site
cannot be told at all (two Chaos pages) is its own site, named by its id.
"""
from __future__ import annotations

import re
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Iterator

from train.corpora import Paragraph, SourceDocument, registered_domain, unwrap_wayback
from train.html_blocks import Block, decode_html, page_blocks
from train.weak_labels import CHROME_HINTS, has_hint, label_blocks, overriding_label
from winnow.labels import ARTICLE

TARBALL = "big9-chaos.tar.gz"
SUBSETS = ("big5-05", "big5-09", "big5-13", "big5-17", "chaos-all")
HTML_SUFFIXES = (".htm", ".html")

SHINGLE = 4
"""Words per shingle when matching a block against the gold text."""
SHINGLE_MIN_WORDS = 8
"""Blocks of fewer words are matched as a whole instead of by shingles."""
SHINGLE_SHARE = 0.5
"""A long block is article when at least this share of its shingles is in the gold."""
PHRASE_MIN_WORDS = 3
"""Blocks of 3-7 words must occur in the gold as a phrase; shorter ones as a whole gold line."""
BYLINE_WINDOW = 8
"""Bylines and datelines count as article within this many blocks of the first gold block."""
BYLINE_MAX_WORDS = 15
BYLINE_HINTS = frozenset({
    "byline", "bylines", "author", "authors", "dateline", "date", "datetime", "timestamp",
    "pubdate", "published", "publishdate", "updated", "posted", "time",
})

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<(link|meta)\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_BYLINE_TEXT = re.compile(r"^\W*by:?\s+(?-i:[A-Z])|^\W*(?:updated|published|posted)\b", re.I)
_DATE_TEXT = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\b", re.I)
_WAYBACK_LINK = re.compile(r"/web/\d{14}/https?://([^/\"'\s>?#]+)", re.I)


def read_documents(tar_path: str | Path) -> Iterator[SourceDocument]:
    """Every page that has a gold file, by subset and name."""
    pages, golds = _read_tar(tar_path)
    for (subset, name), html in sorted(pages.items()):
        gold = golds.get((subset, name))
        if gold is not None:
            yield page_document(subset, name, html, gold)


def page_document(subset: str, name: str, html: bytes, gold: bytes) -> SourceDocument:
    page = decode_html(html)
    blocks = page_blocks(page)
    matcher = GoldMatcher(decode_html(gold))
    in_gold = [matcher.contains(block.text) and not overriding_label(block) for block in blocks]
    first_gold = in_gold.index(True) if any(in_gold) else -BYLINE_WINDOW - 1
    known = [gold_label(block, gold, abs(i - first_gold) <= BYLINE_WINDOW)
             for i, (block, gold) in enumerate(zip(blocks, in_gold))]
    labels = label_blocks(blocks, known)
    paragraphs = tuple(Paragraph(block.text, label, rule) for block, (label, rule) in zip(blocks, labels))
    url, site = page_url_and_site(page)
    doc_id = f"big9-{subset}-{_slug(name)}"
    source = "chaos" if subset.startswith("chaos") else "big9"
    return SourceDocument(doc_id, source, url, site or doc_id, paragraphs)


def gold_label(block: Block, in_gold: bool, near_title: bool) -> tuple[str, str] | None:
    """("article", "gold") for gold text and for the story's byline next to it;
    the overriding label for ad-slot and rights lines; None for the rest."""
    if in_gold:
        return ARTICLE, "gold"
    if near_title and is_byline(block):
        return ARTICLE, "gold_byline"
    return overriding_label(block)


def is_byline(block: Block) -> bool:
    """A byline, dateline or publication time: the gold texts leave these out,
    though the guideline counts the story's own as article."""
    text = block.text
    if len(_words(text)) > BYLINE_MAX_WORDS:
        return False
    if _BYLINE_TEXT.search(text):
        return True
    return has_hint(block, BYLINE_HINTS) and not has_hint(block, CHROME_HINTS) and bool(_DATE_TEXT.search(text))


class GoldMatcher:
    """Is a block's text part of the gold article text?

    Both sides are compared as lower-cased word sequences, so whitespace,
    punctuation, quote styles and mis-decoded characters do not matter.
    """

    def __init__(self, gold: str) -> None:
        lines = [_words(line) for line in gold.splitlines()]
        self.lines = {" ".join(words) for words in lines if words}
        self.text = " " + " ".join(" ".join(words) for words in lines if words) + " "
        all_words = self.text.split()
        self.shingles = {tuple(all_words[i:i + SHINGLE]) for i in range(len(all_words) - SHINGLE + 1)}

    def contains(self, text: str) -> bool:
        words = _words(text)
        if len(words) >= SHINGLE_MIN_WORDS:
            shingles = [tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
            return sum(s in self.shingles for s in shingles) >= SHINGLE_SHARE * len(shingles)
        if len(words) >= PHRASE_MIN_WORDS:
            return f" {' '.join(words)} " in self.text
        return bool(words) and " ".join(words) in self.lines


def page_url_and_site(page: str) -> tuple[str, str]:
    """The page's own URL and registered domain, from the first of: canonical
    link, og:url, a "saved from url=" comment, the host most Wayback links
    point to (the URL stays unknown then), og:site_name. ("", "") if none."""
    metas: dict[str, str] = {}
    for match in _TAG.finditer(page):
        attributes = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                      for m in _ATTRIBUTE.finditer(match.group())}
        if match.group(1).lower() == "link" and "canonical" in attributes.get("rel", "").lower().split():
            metas.setdefault("canonical", attributes.get("href", ""))
        key = (attributes.get("property") or attributes.get("name") or "").lower()
        if key in ("og:url", "og:site_name"):
            metas.setdefault(key, attributes.get("content", ""))
    saved = _SAVED_FROM.search(page)
    for candidate in (metas.get("canonical", ""), metas.get("og:url", ""), saved.group(1) if saved else ""):
        url = unwrap_wayback(candidate)
        if registered_domain(url) and "//" in url:
            return url, registered_domain(url)
    hosts = Counter(host for host in _WAYBACK_LINK.findall(page) if "archive.org" not in host.lower())
    if hosts:
        return "", registered_domain(hosts.most_common(1)[0][0])
    site_name = metas.get("og:site_name", "").strip().lower()
    if "." in site_name:
        return "", registered_domain(site_name)
    return "", "".join(_WORD.findall(site_name))


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _slug(name: str) -> str:
    return "-".join(_WORD.findall(name.lower()))


def _read_tar(tar_path: str | Path) -> tuple[dict[tuple[str, str], bytes], dict[tuple[str, str], bytes]]:
    """One pass over the tarball: {(subset, name): bytes} for pages and gold texts."""
    pages: dict[tuple[str, str], bytes] = {}
    golds: dict[tuple[str, str], bytes] = {}
    with tarfile.open(tar_path, "r:*") as tar:
        for member in tar:
            path = PurePosixPath(member.name)
            if not member.isfile() or len(path.parts) < 3 or path.parts[-3] not in SUBSETS:
                continue
            subset, kind = path.parts[-3], path.parts[-2]
            if kind == "html" and path.suffix.lower() in HTML_SUFFIXES:
                pages[(subset, path.stem)] = tar.extractfile(member).read()
            elif kind == "gold" and path.suffix.lower() == ".txt":
                golds[(subset, path.stem)] = tar.extractfile(member).read()
    return pages, golds
