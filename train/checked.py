"""The hand-checked pages, and how right the weak-labelling rules are against them.

``data/checked-{train,dev,test}/*.jsonl`` hold real pages of each split
whose every paragraph a reviewer read and labelled against the guideline,
keeping the preliminary label in ``was`` and a ``note`` where they changed
it or were unsure. These labels are final: a rebuild never regenerates
them, it only joins them with the pages' provenance and measures the rules
against them.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

CHECKED_RULE = "checked"


def load_checked(directory: str | Path, split_records: Iterable[dict]) -> list[dict]:
    """Checked pages as data records, each keeping the weak rule it was first labelled by."""
    built = {record["id"]: record for record in split_records}
    records = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            for line in filter(str.strip, lines):
                checked = json.loads(line)
                original = built.get(checked["id"])
                if original is None:
                    raise ValueError(f"{path}: {checked['id']} is not a page of its split")
                if [p["text"] for p in checked["paragraphs"]] != [p["text"] for p in original["paragraphs"]]:
                    raise ValueError(f"{path}: {checked['id']} no longer has the paragraphs it was checked on")
                records.append({
                    **original, "origin": "natural", "checked_by": checked.get("checked_by", ""),
                    "paragraphs": [{"text": p["text"], "label": p["label"], "rule": CHECKED_RULE,
                                    "weak_label": o["label"], "weak_rule": o["rule"]}
                                   for p, o in zip(checked["paragraphs"], original["paragraphs"])],
                })
    return records


def rule_precision(checked: Iterable[dict]) -> dict[str, dict]:
    """Per rule (or annotation) that labelled a checked paragraph: how often, how often rightly, and the label it gave."""
    fired: Counter[str] = Counter()
    right: Counter[str] = Counter()
    gave: dict[str, Counter[str]] = {}
    for record in checked:
        for paragraph in record["paragraphs"]:
            rule = paragraph["weak_rule"]
            fired[rule] += 1
            right[rule] += paragraph["weak_label"] == paragraph["label"]
            gave.setdefault(rule, Counter())[paragraph["weak_label"]] += 1
    return {rule: {"paragraphs": n, "right": right[rule], "precision": round(right[rule] / n, 3),
                   "label": gave[rule].most_common(1)[0][0]}
            for rule, n in fired.most_common()}
