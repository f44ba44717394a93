"""``python -m winnow evaluate``: score a model on labelled JSONL and write a report.

The report (``reports/<name>/report.md`` and ``report.html`` with PNG plots)
gives per-label precision / recall / F1 for all documents and for natural and
augmented documents apart, and for the pages cut into pieces of a few
paragraphs (a user may send part of a page), the confusion matrix, a
reliability diagram, and the documents the model gets most wrong, paragraph
by paragraph.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from winnow import config
from winnow.cli import refuse
from winnow.document import Document
from winnow.labels import LABELS
from winnow.model import LoadedModel, ModelLoadError, load_model
from train import baselines, dataset
from train.metrics import confusion, per_label_scores, scores_by_origin
from train.provenance import command_line
from train.plots import confusion_matrix_plot, reliability_plot
from train.report import Heading, Image, Report, Table, Text

WORST_DOCUMENTS = 5
"""Documents shown with their wrong paragraphs: the worst of each site, the sites with the worst first."""
ROWS_PER_DOCUMENT = 25
COMMON_MISTAKES = 8
"""(gold, predicted) pairs shown, the most frequent first, each with examples."""
SMALL_SUPPORT = 20
"""A label with fewer paragraphs than this is named beside a macro-F1 it weighs on as much as any other."""
SNIPPET = 110
PIECES = (1, 3, 10)
"""Lengths, in paragraphs, of the pieces the pages are also cut into, each labelled as a document of its own."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winnow evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(config.DEFAULT_MODEL_DIR), help="model directory (default: %(default)s)")
    parser.add_argument("--data", nargs="+", required=True, help="labelled JSONL file(s) to score on")
    parser.add_argument("--out", help="report directory (default: reports/<model name>, which for the shipped model "
                                      "is its committed test-split report: give another to score other data)")
    args = parser.parse_args(argv)
    command = command_line("python -m winnow evaluate", argv)

    try:
        model = load_model(args.model)
        docs = dataset.load(args.data)
    except (ModelLoadError, dataset.DataError) as error:
        return refuse(error)
    out = Path(args.out) if args.out else config.REPORTS_DIR / model.info["name"]
    print(f"scoring {len(docs)} documents from {', '.join(args.data)}", file=sys.stderr)
    evaluation = evaluate(model, docs)
    report = build_report(model, docs, evaluation, command, out, held_out_statement(model.card, docs))
    markdown, page = report.write(out)
    (out / "metrics.json").write_text(json.dumps(evaluation["scores"], indent=2) + "\n")
    print(summary_table(evaluation["scores"]["all"]))
    print(f"wrote {markdown} and {page}", file=sys.stderr)
    return 0


def evaluate(model: LoadedModel, docs: Sequence[dataset.LabelledDocument]) -> dict:
    """Predictions as users get them, and scores for every document and for natural / augmented ones apart;
    under "pieces", keyed by `PIECES`, the scores of the pages cut into pieces of that many paragraphs."""
    predictions = model.classifier.predict([d.document for d in docs])
    predicted = np.array([label for p in predictions for label in p.labels])
    confidence = np.concatenate([p.confidences for p in predictions])
    gold = dataset.gold_labels(docs)
    scores = scores_by_origin(docs, predicted)
    scores["pieces"] = {size: per_label_scores(gold, predicted_in_pieces(model, docs, size)) for size in PIECES}
    return {"gold": gold, "predicted": predicted, "confidence": confidence, "scores": scores}


def predicted_in_pieces(model: LoadedModel, docs: Sequence[dataset.LabelledDocument], size: int) -> list[str]:
    """The labels of every paragraph when each page is cut into pieces of `size` paragraphs, each
    labelled as a document of its own."""
    pieces = [Document.from_paragraphs(d.document.paragraphs[start:start + size])
              for d in docs for start in range(0, len(d.labels), size)]
    return [label for prediction in model.classifier.predict(pieces) for label in prediction.labels]


def held_out_statement(card: dict, docs: Sequence[dataset.LabelledDocument]) -> str:
    """Whether the sites of `docs` are apart from those of the data the model was trained (and so also
    calibrated) on, as its card names it: checked where the files are here unchanged."""
    data = card.get("training_data") or {}
    if not data.get("files"):
        return "The model's card names no data it was trained on to check these sites against."
    named = ", ".join(data["files"])
    unnamed = sum(not d.site for d in docs)
    unknown = (f" **{unnamed} of these {len(docs)} documents name no site (nor id)**, so whether they are apart "
               f"from those sites is not known." if unnamed else "")
    shared = _shared_sites(docs, data["files"], data.get("sha256"))
    if shared is None:
        return (f"Whether these sites are apart from the data the model was trained on ({named}) is not checked: "
                f"those files are not here as they were.")
    if not shared:
        return (f"No site of these documents is in the data the model was trained on ({named}; checked site by "
                f"site).{unknown}")
    overlap = sum(d.site in shared for d in docs)
    return (f"**{overlap} of these {len(docs)} documents are from sites the model was trained on** ({named}; "
            f"{len(shared)} sites, e.g. {', '.join(sorted(shared)[:3])}): these figures overstate how it does "
            f"on new sites.{unknown}")


def _shared_sites(docs: Sequence[dataset.LabelledDocument], files: Sequence[str], sha256: str | None) -> set[str] | None:
    """The sites of `docs` that are in these files (named from the project root), or None when the files are
    not all here or are not the ones of `sha256`."""
    paths = [config.PROJECT_ROOT / name for name in files]
    try:
        if not all(path.is_file() for path in paths) or dataset.checksum(paths) != sha256:
            return None
        return {d.site for d in docs} & dataset.sites(paths)
    except (OSError, dataset.DataError):
        return None


def build_report(model: LoadedModel, docs: Sequence[dataset.LabelledDocument], evaluation: dict, command: str,
                 out: Path, held_out: str) -> Report:
    gold, predicted, confidence = evaluation["gold"], evaluation["predicted"], evaluation["confidence"]
    out.mkdir(parents=True, exist_ok=True)
    scores = evaluation["scores"]
    report = Report(f"winnow evaluation: model {model.info['name']} {model.info['version']}")
    sites = len({d.site for d in docs})
    report.add(Text(
        f"Scored on {len(docs)} documents ({len(gold)} paragraphs) from {sites} sites "
        f"on {datetime.now(timezone.utc):%Y-%m-%d} with `{command}`. {held_out} Figures are per paragraph."))

    report.add(Heading("Per-label precision, recall and F1"))
    for name, title in (("all", "all documents"), ("natural", "natural documents"),
                        ("augmented", "augmented documents (real pages with written blocks inserted)")):
        if name in scores:
            report.add(Table(["label", "precision", "recall", "F1", "paragraphs"], score_rows(scores[name]),
                             caption=f"{title}: macro-F1 {scores[name]['macro_f1']:.3f}{_few(scores[name])}, "
                                     f"accuracy {scores[name]['accuracy']:.3f}"))

    report.add(Heading("Parts of pages"),
               Text("The same pages cut into pieces of a few paragraphs, each piece labelled as a document of "
                    "its own, as when a user sends part of a page: F1 per label."),
               Table(["paragraphs per piece", "macro-F1", *LABELS],
                     [[size, pieces["macro_f1"], *(pieces["labels"][label]["f1"] for label in LABELS)]
                      for size, pieces in [*scores["pieces"].items(), ("whole page", scores["all"])]]))

    # -- baselines (train/baselines.py): what users would use instead, on the same documents --
    print("scoring the baselines on the same documents", file=sys.stderr)
    report.add(Heading("Baselines"), Text(baselines.DESCRIPTION),
               Table(baselines.HEADER, baselines.compare(docs, predicted)))

    matrix = confusion(gold, predicted)
    confusion_matrix_plot(matrix, out / "confusion.png", "confusion matrix (rows: gold)")
    report.add(Heading("Confusion matrix"),
               Table(["gold \\ predicted", *LABELS], [[label, *row] for label, row in zip(LABELS, matrix.tolist())]),
               Image("confusion.png", "confusion matrix"))

    ece = reliability_plot(confidence, gold == predicted, out / "reliability.png", "reliability")
    report.add(Heading("Is the confidence right?"),
               Text(f"Expected calibration error {ece:.3f}: the mean gap between the confidence the "
                    f"model gives and how often it is right, over ten confidence bins."),
               Image("reliability.png", "reliability diagram"))

    mistakes = common_mistakes(docs, gold, predicted)
    report.add(Heading("Where it fails: the most common mistakes"),
               Table(["gold", "predicted", "paragraphs", "share of the gold label's", "for example"], mistakes)
               if mistakes else Text("No paragraph is wrong."))
    report.add(Heading("Where it fails: the worst documents"))
    report.add(*worst_documents(docs, predicted, confidence))
    return report


def _few(scores: dict) -> str:
    """The labels of `scores` present with fewer than `SMALL_SUPPORT` paragraphs, said beside macro-F1."""
    few = [f"{label} {s['support']}" for label, s in scores["labels"].items() if 0 < s["support"] < SMALL_SUPPORT]
    return f" over the labels present (few paragraphs of {', '.join(few)})" if few else ""


def common_mistakes(docs: Sequence[dataset.LabelledDocument], gold: np.ndarray, predicted: np.ndarray) -> list[list]:
    """The most frequent (gold, predicted) pairs that differ, with how many paragraphs each and two of
    their texts from different documents."""
    texts = [text for d in docs for text in d.document.paragraphs]
    owner = np.repeat(np.arange(len(docs)), [len(d.labels) for d in docs])
    wrong = np.flatnonzero(gold != predicted)
    pairs = Counter(zip(gold[wrong].tolist(), predicted[wrong].tolist()))
    rows = []
    for (truth, guess), count in pairs.most_common(COMMON_MISTAKES):
        examples, seen = [], set()
        for index in wrong[(gold[wrong] == truth) & (predicted[wrong] == guess)]:
            if owner[index] not in seen and texts[index].strip():
                examples.append(f"“{_snippet(texts[index])}”")
                seen.add(owner[index])
            if len(examples) == 2:
                break
        rows.append([truth, guess, count, f"{count / np.sum(gold == truth):.1%}", " · ".join(examples)])
    return rows


def score_rows(scores: dict) -> list[list]:
    return [[label, s["precision"], s["recall"], s["f1"], s["support"]]
            for label, s in scores["labels"].items()]


def summary_table(scores: dict) -> str:
    lines = [f"{'label':16} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    lines += [f"{label:16} {p:9.3f} {r:7.3f} {f:6.3f} {s:8d}" for label, p, r, f, s in score_rows(scores)]
    lines.append(f"macro-F1 {scores['macro_f1']:.3f}, accuracy {scores['accuracy']:.3f}")
    return "\n".join(lines)


def worst_documents(docs: Sequence[dataset.LabelledDocument], predicted: np.ndarray,
                    confidence: np.ndarray) -> list:
    """The documents with the most wrong paragraphs, one per site, each wrong paragraph (the first
    `ROWS_PER_DOCUMENT` of them) beside its gold label."""
    bounds = np.cumsum([0] + [len(d.labels) for d in docs])
    errors = [int(np.sum(np.asarray(d.labels) != predicted[a:b]))
              for d, a, b in zip(docs, bounds[:-1], bounds[1:])]
    blocks, sites = [], set()
    for i in np.argsort(errors, kind="stable")[::-1]:
        if errors[i] == 0 or len(blocks) == WORST_DOCUMENTS:
            break
        doc, start = docs[i], bounds[i]
        if doc.site in sites:
            continue
        sites.add(doc.site)
        rows = [[index, _snippet(text), gold, predicted[start + index], f"{confidence[start + index]:.2f}"]
                for index, (text, gold) in enumerate(zip(doc.document.paragraphs, doc.labels))
                if gold != predicted[start + index]]
        shown = f"; the first {ROWS_PER_DOCUMENT} shown" if len(rows) > ROWS_PER_DOCUMENT else ""
        blocks.append(Table(["¶", "text", "gold", "predicted", "confidence"], rows[:ROWS_PER_DOCUMENT],
                            caption=f"{doc.document.id} ({doc.site or 'no site'}, {doc.origin}): {errors[i]} of "
                                    f"{len(doc.labels)} paragraphs wrong{shown}"))
    return blocks or [Text("No document has a wrong paragraph.")]


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[:SNIPPET - 1] + "…"
