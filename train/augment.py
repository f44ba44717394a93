"""Augmentation: real pages with written appeal, ad and teaser blocks put in.

The raw corpora have few donation appeals, few marked ads and few teaser
lists, so blocks written for the project (``data/bank/``) are inserted into
real documents where real pages carry them: appeals after, before or inside
the story or as a link in the menus above it, ads between its paragraphs,
teaser lists after it or at the end of the page. Half the copies are also
cropped to the story and a few paragraphs around it, as scrapers that already
drop the menus deliver pages. A written news story (a hard negative that
*talks about* donations or ads) replaces the host page's story instead,
keeping the page around it.

Bank blocks are split by publisher, like pages are split by site, so that no
publisher's voice is both trained on and measured on. Every augmented record
names its host document and the blocks put into it.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Callable, Iterable, Iterator

from winnow.labels import ARTICLE

BANK_FILES = ("donation_appeal", "ad", "headline_teaser", "hard_negative")
NAVIGATION = "navigation"
KINDS = (*BANK_FILES, NAVIGATION)
"""What a copy draws its one to three blocks from: each bank file, and apart from the
appeals the lone menu links ("Donate", "Support us"), which modern pages carry far more
often than the 2005-2017 pages do and which a whole appeal block would otherwise crowd out."""
CROPPED_SHARE = 0.5


def load_bank(directory: str | Path) -> list[dict]:
    """Every written block of the bank, in file order, each with the name of its file as "bank"."""
    blocks = []
    for name in BANK_FILES:
        with open(Path(directory) / f"{name}.jsonl", encoding="utf-8") as lines:
            blocks += [{**json.loads(line), "bank": name} for line in lines if line.strip()]
    return blocks


def augmented(records: Iterable[dict], blocks: list[dict], seed: int, copies: int = 1,
              group_of: Callable[[str], object] | None = None) -> Iterator[dict]:
    """For each real record, `copies` augmented records that each carry one to three bank blocks.

    With `group_of`, a page only receives blocks of publishers in its own
    group (``group_of(site) == group_of("bank:" + publisher)``): cross-validation
    folds by that group then keep written voices apart as well as sites.
    """
    rng = random.Random(seed)
    for record in records:
        if not any(p["label"] == ARTICLE for p in record["paragraphs"]):
            continue
        usable = blocks if group_of is None else [
            b for b in blocks if group_of(f"bank:{b['publisher']}") == group_of(record["site"])]
        by_kind = {name: [b for b in usable if _kind(b) == name] for name in KINDS}
        kinds = [name for name in KINDS if by_kind[name]]
        for copy in range(copies):
            chosen = [rng.choice(by_kind[kind]) for kind in rng.sample(kinds, k=rng.randint(1, min(3, len(kinds))))]
            paragraphs = [dict(p) for p in record["paragraphs"]]
            if rng.random() < CROPPED_SHARE:
                paragraphs = _cropped(paragraphs, rng)
            for block in chosen:
                paragraphs = _put_in(paragraphs, block, rng)
            yield {**record, "id": f"{record['id']}+aug{copy}", "origin": "augmented",
                   "augmented_from": record["id"], "inserted": [b["id"] for b in chosen],
                   "paragraphs": paragraphs}


def _kind(block: dict) -> str:
    return NAVIGATION if block.get("placement") == NAVIGATION else block["bank"]


def _cropped(paragraphs: list[dict], rng: random.Random) -> list[dict]:
    """The story with up to 5 paragraphs before it and up to 15 after it."""
    article = [i for i, p in enumerate(paragraphs) if p["label"] == ARTICLE]
    start = max(article[0] - rng.randint(0, 5), 0)
    return paragraphs[start:article[-1] + 1 + rng.randint(0, 15)]


def _put_in(paragraphs: list[dict], block: dict, rng: random.Random) -> list[dict]:
    """The page with the block inserted where its placement says (or its story swapped in)."""
    new = [{"text": p["text"], "label": p["label"], "rule": f"bank:{block['id']}"} for p in block["paragraphs"]]
    article = [i for i, p in enumerate(paragraphs) if p["label"] == ARTICLE]
    if not article:
        return paragraphs[:] + new
    first, last = article[0], article[-1]
    if all(p["label"] == ARTICLE for p in new):  # a written story replaces the host's story
        return paragraphs[:first] + new + paragraphs[last + 1:]
    placement = block.get("placement", "after_article")
    if placement == "inside_article" and len(article) > 1:
        at = rng.choice(article[1:])
    elif placement == "top":
        at = first
    elif placement == NAVIGATION:  # somewhere in the menus and chrome above the story
        at = rng.randint(0, first)
    elif placement == "after_article":
        at = last + 1
    elif placement == "sidebar":
        at = rng.choice([first, last + 1, rng.randint(0, len(paragraphs))])
    else:  # end_of_page
        at = rng.randint(last + 1, len(paragraphs))
    return paragraphs[:at] + new + paragraphs[at:]
