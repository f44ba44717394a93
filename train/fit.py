"""``python -m winnow train``: fit a model on labelled JSONL and save it with its card."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

import winnow
from winnow import config
from winnow.model import ParagraphClassifier
from train import dataset
from train.metrics import per_label_scores
from train.relabel import relabel_fallback
from train.split import fold_of
from train.weak_labels import DEFAULT_RULE as FALLBACK_RULE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winnow train", description=__doc__)
    parser.add_argument("--data", nargs="+", default=[str(config.DATA_DIR / "train.jsonl.gz")],
                        help="labelled JSONL file(s) to train on")
    parser.add_argument("--dev", nargs="*", default=[str(config.DATA_DIR / "dev.jsonl.gz")],
                        help="labelled JSONL file(s) to calibrate on and report in the card")
    parser.add_argument("--out", required=True, help="model directory to write, e.g. models/default")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--fallback-weight", type=float, default=config.FALLBACK_WEIGHT,
                        help="weight of paragraphs no labelling rule claimed (rule 'default'); "
                             "their labels are the least reliable (default: %(default)s)")
    parser.add_argument("--relabel-fallback", type=float, default=config.RELABEL_FALLBACK, metavar="P",
                        help="relabel those paragraphs where cross-validated stage one gives another "
                             "label at least probability P; 0 turns it off (default: %(default)s)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    log(f"reading {', '.join(args.data)}")
    train_docs = dataset.load(args.data)
    log(f"{len(train_docs)} documents, {sum(len(d.labels) for d in train_docs)} paragraphs")
    classifier, fitted_labels = fit_classifier(train_docs, args.seed, args.fallback_weight, args.relabel_fallback)
    relabelled = Counter(f"{old} -> {new}" for d, labels in zip(train_docs, fitted_labels)
                         for old, new in zip(d.labels, labels) if old != new)

    metrics = None
    if args.dev:
        dev_docs = dataset.load(args.dev)
        temperature = classifier.calibrate([d.document for d in dev_docs], [d.labels for d in dev_docs])
        log(f"calibrated on {len(dev_docs)} dev documents: temperature {temperature:.2f}")
        predictions = classifier.predict([d.document for d in dev_docs])
        metrics = per_label_scores([label for d in dev_docs for label in d.labels],
                                   [label for p in predictions for label in p.labels])
        log(f"dev macro-F1 {metrics['macro_f1']:.3f}: " + ", ".join(
            f"{label} {s['f1']:.3f}" for label, s in metrics["labels"].items()))

    out = Path(args.out)
    card = {
        "name": out.name,
        "version": f"{winnow.__version__}+{datetime.now(timezone.utc):%Y%m%d}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code_version": git_revision(),
        "seed": args.seed,
        "parameters": {"window": classifier.window, "folds": classifier.folds, "alpha": classifier.alpha,
                       "epochs": classifier.epochs,
                       "hashed_features": classifier.featurizer.n_features,
                       "fallback_weight": args.fallback_weight, "relabel_fallback": args.relabel_fallback},
        "training_data": describe_data(args.data, train_docs),
        "dev_data": describe_data(args.dev, dev_docs) if args.dev else None,
        "dev_metrics": metrics,
        "relabelled_fallback_paragraphs": dict(relabelled.most_common()),
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    classifier.save(out, card)
    log(f"saved {out} in {card['training_seconds']} s")
    return 0


def fit_classifier(train_docs: Sequence[dataset.LabelledDocument], seed: int = config.SEED,
                   fallback_weight: float = config.FALLBACK_WEIGHT,
                   relabel_threshold: float = config.RELABEL_FALLBACK
                   ) -> tuple[ParagraphClassifier, list[list[str]]]:
    """Both stages fitted on `train_docs` (not calibrated), and the labels they were fitted on: the
    documents' own, but for the fallback paragraphs that cross-validated stage one relabelled."""
    classifier = ParagraphClassifier(folds=config.FOLDS, seed=seed)
    documents = [d.document for d in train_docs]
    labels = [d.labels for d in train_docs]
    groups = [fold_of(d.site, config.FOLDS) for d in train_docs]
    if relabel_threshold:
        probabilities = classifier.first_stage_out_of_fold(documents, labels, groups, progress=log)
        labels, changed = relabel_fallback(train_docs, probabilities, relabel_threshold)
        log(f"relabelled {sum(changed.values())} fallback paragraphs: {dict(changed)}")
    weights = np.array([fallback_weight if rule == FALLBACK_RULE else 1.0 for d in train_docs for rule in d.rules])
    return classifier.fit(documents, labels, groups, weights=weights, progress=log), labels


def describe_data(paths: Sequence[str], docs: Sequence[dataset.LabelledDocument]) -> dict:
    return {"files": [relative_path(p) for p in paths], "sha256": dataset.checksum(paths),
            "documents": len(docs), "sites": len({d.site for d in docs}),
            "labels": dict(Counter(label for d in docs for label in d.labels))}


def relative_path(path: str) -> str:
    """A path as seen from the project root, when it is inside the project."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(config.PROJECT_ROOT)) if resolved.is_relative_to(config.PROJECT_ROOT) else path


def git_revision() -> str:
    """The commit the code was at, with "+dirty" when there were uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=config.PROJECT_ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=config.PROJECT_ROOT).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
