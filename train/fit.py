"""``python -m winnow train``: fit a model on labelled JSONL and save it with its card.

The shipped model is fitted on the train and dev splits together: every choice of recipe was made
on dev with models fitted on train alone (``python -m train.context_study``), and a model calibrates
itself on its own training pages, cross-validated by site, so dev is not needed for that either.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

import winnow
from winnow import config
from winnow.cli import refuse
from winnow.labels import LABELS
from winnow.model import TEMPERATURES, ParagraphClassifier, Prediction
from train import dataset
from train.metrics import per_label_scores, reliability_bins
from train.provenance import git_revision, log, relative_path
from train.split import fold_of


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winnow train", description=__doc__)
    parser.add_argument("--data", nargs="+", default=[str(path) for path in config.TRAINING_DATA],
                        help="labelled JSONL file(s) to train on (default: the train and dev splits)")
    parser.add_argument("--dev", nargs="*", default=[],
                        help="labelled JSONL file(s) to score the model on, for the card")
    parser.add_argument("--out", required=True, help="model directory to write, e.g. models/default")
    parser.add_argument("--seed", type=int, default=config.SEED,
                        help="seed of every random choice of the fit (default: %(default)s)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    log(f"reading {', '.join(args.data)}")
    try:
        train_docs = dataset.load(args.data)
        check_trainable(train_docs)
        dev_docs = dataset.load(args.dev) if args.dev else []
    except dataset.DataError as error:
        return refuse(error)
    log(f"{len(train_docs)} documents, {sum(len(d.labels) for d in train_docs)} paragraphs")
    classifier = fit_classifier(train_docs, args.seed)

    log(f"temperature {classifier.temperature:.2f}, fitted on the training pages cross-validated by site")
    if classifier.temperature in (TEMPERATURES[0], TEMPERATURES[-1]):
        log(f"warning: the temperature is at an end of the range searched ({TEMPERATURES[0]:.1f} to "
            f"{TEMPERATURES[-1]:.1f}): the training pages are too few to calibrate on, so the confidences are not "
            f"to be trusted")
    cross_validated = scores(train_docs, classifier.cross_validated_, "cross-validated by site")
    metrics = scores(dev_docs, classifier.predict([d.document for d in dev_docs]), "dev") if dev_docs else None
    training_sites = {d.site for d in train_docs}
    dev_sites_trained_on = sum(d.site in training_sites for d in dev_docs)
    if dev_sites_trained_on:
        log(f"warning: {dev_sites_trained_on} of the {len(dev_docs)} --dev documents are from sites the model is "
            f"trained on: their scores overstate how it does on new sites")

    out = Path(args.out)
    card = {
        "name": out.name,
        "version": f"{winnow.__version__}+{datetime.now(timezone.utc):%Y%m%d}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code_version": git_revision(),
        "seed": args.seed,
        "parameters": {"window": classifier.window, "folds": classifier.folds, "alpha": classifier.alpha,
                       "epochs": classifier.epochs, "stage_two_epochs": classifier.stage_two_epochs,
                       "transition_weight": classifier.transition_weight,
                       "hashed_columns": {"words": classifier.featurizer.n_features,
                                          "character_3_grams": classifier.featurizer.n_features}},
        "training_data": describe_data(args.data, train_docs),
        "calibration": "softmax temperature fitted (log-loss) to the training pages' labels from both stages "
                       f"fitted without the page's site ({classifier.folds} folds by site)",
        "cross_validated_metrics": cross_validated,
        "cross_validated_calibration_error": calibration_error(train_docs, classifier.cross_validated_),
        "dev_data": ({**describe_data(args.dev, dev_docs), "documents_from_training_sites": dev_sites_trained_on}
                     if args.dev else None),
        "dev_metrics": metrics,
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    classifier.save(out, card)
    log(f"saved {out} in {card['training_seconds']} s")
    return 0


def scores(docs: Sequence[dataset.LabelledDocument], predictions: Sequence[Prediction], name: str) -> dict:
    """`per_label_scores` of `predictions` of `docs`, logged under `name`."""
    metrics = per_label_scores(dataset.gold_labels(docs), [label for p in predictions for label in p.labels])
    log(f"{name}: macro-F1 {metrics['macro_f1']:.3f}, " + ", ".join(
        f"{label} {s['f1']:.3f}" for label, s in metrics["labels"].items()))
    return metrics


def calibration_error(docs: Sequence[dataset.LabelledDocument], predictions: Sequence[Prediction]) -> float:
    """The expected calibration error (ten bins) of `predictions` of `docs`."""
    correct = dataset.gold_labels(docs) == [label for p in predictions for label in p.labels]
    return round(reliability_bins(np.concatenate([p.confidences for p in predictions]), correct)[-1], 4)


def fit_classifier(train_docs: Sequence[dataset.LabelledDocument], seed: int = config.SEED) -> ParagraphClassifier:
    """Both stages fitted on `train_docs` and calibrated, cross-validated by site."""
    classifier = ParagraphClassifier(folds=config.FOLDS, seed=seed)
    groups = [fold_of(d.site, config.FOLDS) for d in train_docs]
    return classifier.fit([d.document for d in train_docs], [d.labels for d in train_docs], groups, progress=log)


def check_trainable(docs: Sequence[dataset.LabelledDocument]) -> None:
    """Raise `dataset.DataError` when `docs` cannot train a model: every label needs examples, and the
    cross-validation by site needs pages in each of its folds, and each label in two folds at least, so
    that the pages outside any one fold hold every label."""
    missing = [label for label in LABELS if not any(label in d.labels for d in docs)]
    if missing:
        raise dataset.DataError(f"the training data has no paragraph labelled {', '.join(missing)}: "
                                f"every label needs examples")
    folds = {fold_of(d.site, config.FOLDS) for d in docs}
    if len(folds) < config.FOLDS:
        raise dataset.DataError(f"the training data's {len({d.site for d in docs})} sites fall in {len(folds)} of the "
                                f"{config.FOLDS} folds the model is cross-validated on by site: it needs more sites")
    for label in LABELS:
        sites = {d.site for d in docs if label in d.labels}
        if len({fold_of(site, config.FOLDS) for site in sites}) < 2:
            raise dataset.DataError(f"every paragraph labelled {label} is on sites of one fold of the {config.FOLDS} "
                                    f"the model is cross-validated on by site ({', '.join(sorted(sites)[:3])}): "
                                    f"it needs examples on more sites")


def describe_data(paths: Sequence[str], docs: Sequence[dataset.LabelledDocument]) -> dict:
    return {"files": [relative_path(p) for p in paths], "sha256": dataset.checksum(paths),
            "documents": len(docs), "sites": len({d.site for d in docs}),
            "labels": dict(Counter(label for d in docs for label in d.labels))}
