"""Readers of the raw research corpora, each yielding labelled SourceDocuments.

Every reader turns a page into blocks (train.html_blocks), labels the blocks the
corpus's own annotation marks, and hands the rest to train.weak_labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Second-level labels under which a country-code TLD registers names, as in
# bbc.co.uk or news.com.au: the registered domain then has three labels.
_COUNTRY_SECOND_LEVELS = frozenset(
    "ac co com edu gen go gov govt ltd mil ne net nic nom or org plc sch".split())
_WAYBACK_PREFIX = re.compile(r"^(?:https?:)?(?://[^/]*archive\.org)?/web/\d+[a-z_]*/", re.I)


@dataclass(frozen=True)
class Paragraph:
    text: str
    label: str
    rule: str
    """Where the label came from: "l3s:sel2", "gold", or a weak rule's name."""


@dataclass(frozen=True)
class SourceDocument:
    id: str
    source: str
    url: str
    site: str
    paragraphs: tuple[Paragraph, ...]

    def to_record(self) -> dict:
        """The JSON object stored in data/*.jsonl.gz."""
        return {
            "id": self.id, "source": self.source, "url": self.url, "site": self.site,
            "origin": "natural",
            "paragraphs": [{"text": p.text, "label": p.label, "rule": p.rule} for p in self.paragraphs],
        }


def unwrap_wayback(url: str) -> str:
    """The original URL of a Wayback Machine capture link; other URLs unchanged."""
    return _WAYBACK_PREFIX.sub("", url.strip(), count=1)


def registered_domain(url_or_host: str) -> str:
    """The name a site registered: www.kansascity.com -> kansascity.com,
    icbirmingham.icnetwork.co.uk -> icnetwork.co.uk. "" when there is no host."""
    value = url_or_host.strip()
    host = urlsplit(value if "//" in value else "//" + value).hostname or ""
    labels = [label for label in host.lower().rstrip(".").split(".") if label]
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return ".".join(labels)
    keep = 3 if len(labels[-1]) == 2 and labels[-2] in _COUNTRY_SECOND_LEVELS else 2
    return ".".join(labels[-keep:])
