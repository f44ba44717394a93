"""``python -m winnow build-data``: data/{train,dev,test}.jsonl.gz from the raw corpora.

Reads the L3S-GN1 and Big9/Chaos tarballs as shipped (nothing is unpacked),
labels every text block of every page (the corpus's annotation where it has
one, train.weak_labels elsewhere), splits by site (train.split) and writes one
JSON document a line. Documents without a single article paragraph are
dropped: a page whose article could not be found teaches nothing reliable.

Pages that a person has hand-checked (``data/checked-<split>/``, train.checked)
keep the checked labels instead. Each split then gets augmented copies of its
pages carrying written blocks from ``data/bank/`` (train.augment), the bank
split by publisher with the same salted hash, so that no written voice
crosses splits either.
"""
from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from collections import Counter
from pathlib import Path
from typing import Iterator, Sequence

from train import augment, dataset
from train.checked import load_checked, rule_precision
from train.corpora import SourceDocument, big9, l3s
from train.split import SPLITS, fold_of, split_of
from winnow import config
from winnow.cli import refuse
from winnow.labels import LABELS, Label

PROGRESS_EVERY = 100
LARGE_SITE = 20
"""Sites with at least this many documents are listed with their split."""
CHECKED = {split: f"checked-{split}" for split in SPLITS}
"""Folder under data/ of each split's hand-checked pages: their labels replace the weak ones."""
STATS = "stats.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winnow build-data", description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=str(config.CORPORA_DIR),
                        help=f"folder with {l3s.TARBALL} and {big9.TARBALL} (default: %(default)s)")
    parser.add_argument("--out", default=str(config.DATA_DIR), help="output folder (default: %(default)s)")
    parser.add_argument("--bank", default=str(config.DATA_DIR / "bank"),
                        help="written blocks to augment with (default: %(default)s)")
    parser.add_argument("--train-copies", type=int, default=config.TRAIN_COPIES,
                        help="augmented copies of each training page; dev and test pages get one "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=config.SEED)
    args = parser.parse_args(argv)

    corpora, out = Path(args.corpora), Path(args.out)
    for tarball in (l3s.TARBALL, big9.TARBALL):
        if not (corpora / tarball).is_file():
            return refuse(f"{corpora / tarball} not found")

    started = time.perf_counter()
    records, dropped = build(corpora)
    checked = {}
    for split, folder in CHECKED.items():
        if (out / folder).is_dir():
            checked[split] = load_checked(out / folder, records[split])
            by_id = {record["id"]: record for record in checked[split]}
            records[split] = [by_id.get(record["id"], record) for record in records[split]]
    bank = augment.load_bank(args.bank)
    bank_of = {split: [b for b in bank if split_of(f"bank:{b['publisher']}") == split] for split in SPLITS}
    for split in SPLITS:
        # Training pages get blocks of their own fold only, so that the model's
        # out-of-fold predictions never see a written voice they were fitted on.
        group_of = partial(fold_of, folds=config.FOLDS) if split == "train" else None
        records[split] += list(augment.augmented(records[split], bank_of[split], seed=args.seed,
                                                 copies=args.train_copies if split == "train" else 1,
                                                 group_of=group_of))
    for split, split_records in records.items():
        dataset.write_records(out / f"{split}.jsonl.gz", split_records)
    kept = sum(len(r) for r in records.values())
    print(f"wrote {kept} documents to {out}/{{{','.join(records)}}}.jsonl.gz "
          f"in {time.perf_counter() - started:.0f}s; dropped {dropped} with no article paragraph")
    stats = _report(records) + "\n" + _rule_table(checked)
    (out / STATS).write_text(stats, encoding="utf-8")
    print(stats)
    return 0


def build(corpora: Path) -> tuple[dict[str, list[dict]], int]:
    """The records of every document by split, and how many were dropped."""
    records: dict[str, list[dict]] = {split: [] for split in SPLITS}
    seen: set[str] = set()
    dropped = count = 0
    for count, document in enumerate(_documents(corpora), 1):
        if count % PROGRESS_EVERY == 0:
            print(f"{count} documents read", file=sys.stderr, flush=True)
        if document.id in seen:
            raise ValueError(f"duplicate document id {document.id}")
        seen.add(document.id)
        if any(p.label == Label.ARTICLE for p in document.paragraphs):
            records[split_of(document.site)].append(document.to_record())
        else:
            dropped += 1
    print(f"{count} documents read", file=sys.stderr)
    return records, dropped


def _documents(corpora: Path) -> Iterator[SourceDocument]:
    yield from l3s.read_documents(corpora / l3s.TARBALL)
    yield from big9.read_documents(corpora / big9.TARBALL)


def _report(records: dict[str, list[dict]]) -> str:
    """Markdown: documents and paragraphs per label, split and origin; rules; where large sites went."""
    columns = [(split, origin) for split in records for origin in dataset.ORIGINS]
    counts: Counter[tuple[str, str, str]] = Counter()
    rules: Counter[str] = Counter()
    sites: Counter[tuple[str, str]] = Counter()
    for split, split_records in records.items():
        for record in split_records:
            counts[("documents", split, record["origin"])] += 1
            if record["origin"] == "natural":
                sites[(record["site"], split)] += 1
            for paragraph in record["paragraphs"]:
                counts[(paragraph["label"], split, record["origin"])] += 1
                rules[paragraph["rule"].split(":")[0]] += 1
    lines = ["## Documents and paragraphs per label, split and origin", "",
             "| | " + " | ".join(f"{split} {origin}" for split, origin in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for name in ("documents", *LABELS):
        lines.append(f"| {name} | " + " | ".join(str(counts[(name, *column)]) for column in columns) + " |")
    large = sorted(((n, site, split) for (site, split), n in sites.items() if n >= LARGE_SITE), reverse=True)
    lines += ["", "Paragraphs by the rule or source of their label: "
              + ", ".join(f"{rule} {n}" for rule, n in rules.most_common()) + ".", "",
              "Sites with many pages: " + ", ".join(f"{site} {n} → {split}" for n, site, split in large) + ".", ""]
    return "\n".join(lines)


def _rule_table(checked: dict[str, list[dict]]) -> str:
    """Markdown: how often each rule's label survived the hand check, per checked set and over all of them.

    The rules were written and revised looking at training pages and, later,
    the dev pages' errors; the test pages' column is the unbiased one.
    """
    sets = {**{f"{split} ({len(pages)} pages)": rule_precision(pages) for split, pages in checked.items()},
            "all checked": rule_precision([page for pages in checked.values() for page in pages])}
    header = " | ".join(f"{name} right / paragraphs | {name} precision" for name in sets)
    lines = ["## How right the labelling rules are, against the hand-checked pages", "",
             f"| rule or source | label it gives | {header} |", "|---|---|" + "---:|---:|" * len(sets)]
    for rule, overall in sets["all checked"].items():
        cells = [(f"{p['right']} / {p['paragraphs']}", f"{p['precision']:.3f}")
                 if (p := by_rule.get(rule)) else ("–", "–") for by_rule in sets.values()]
        lines.append(f"| {rule} | {overall['label']} | " + " | ".join(f"{a} | {b}" for a, b in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
