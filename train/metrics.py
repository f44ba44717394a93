"""Per-label precision, recall and F1, and the calibration error — the figures every report and card quotes."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from train.dataset import ORIGINS, LabelledDocument, gold_labels
from winnow.labels import LABELS


def per_label_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """``{"labels": {label: {precision, recall, f1, support}}, "macro_f1", "accuracy"}``."""
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(LABELS), zero_division=0)
    scores = {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                      "f1": round(float(f), 4), "support": int(s)}
              for label, p, r, f, s in zip(LABELS, precision, recall, f1, support)}
    present = [label for label in LABELS if scores[label]["support"]]
    gold_array, predicted_array = np.asarray(gold), np.asarray(predicted)
    return {"labels": scores,
            "macro_f1": round(float(np.mean([scores[label]["f1"] for label in present])), 4) if present else 0.0,
            "accuracy": round(float(np.mean(gold_array == predicted_array)), 4) if len(gold) else 0.0,
            "paragraphs": len(gold)}


def scores_by_origin(docs: Sequence[LabelledDocument], predicted: Sequence[str]) -> dict:
    """`per_label_scores` of `predicted`, the labels of every paragraph of `docs`, over all of them
    ("all") and over those of each of `ORIGINS` apart (when `docs` have any)."""
    gold, predicted = gold_labels(docs), np.asarray(predicted)
    origin = np.repeat([d.origin for d in docs], [len(d.labels) for d in docs])
    scores = {"all": per_label_scores(gold, predicted)}
    for kind in ORIGINS:
        if (origin == kind).any():
            scores[kind] = per_label_scores(gold[origin == kind], predicted[origin == kind])
    return scores


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    """Rows are gold labels, columns predicted labels, both in `LABELS` order."""
    return confusion_matrix(gold, predicted, labels=list(LABELS))


def reliability_bins(confidence: np.ndarray, correct: np.ndarray,
                     bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Per confidence bin: mean confidence, accuracy and count; and the expected calibration error."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / np.maximum(counts, 1)
    accuracy = np.bincount(which, weights=correct.astype(float), minlength=bins) / np.maximum(counts, 1)
    ece = float(np.sum(counts * np.abs(accuracy - mean_confidence)) / max(counts.sum(), 1))
    return edges, mean_confidence, accuracy, counts, ece
