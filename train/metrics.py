"""Per-label precision, recall and F1 — the figures every report and card quotes."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

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


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    """Rows are gold labels, columns predicted labels, both in `LABELS` order."""
    return confusion_matrix(gold, predicted, labels=list(LABELS))
