"""Second opinions for the paragraphs no labelling rule claimed.

A quarter of the paragraphs that fall through every weak rule (and so become
``boilerplate``) are really captions, bylines or parts of teaser cards (see
data/README.md). Where stage one of the model, cross-validated by site so that
it never judges a page it was fitted on, is confident that such a paragraph is
something else, the training data takes its word for it.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from train.dataset import LabelledDocument
from train.weak_labels import DEFAULT_RULE
from winnow import config
from winnow.labels import LABELS


def relabel_fallback(docs: Sequence[LabelledDocument], probabilities: np.ndarray,
                     threshold: float) -> tuple[list[list[str]], Counter]:
    """Every document's labels, fallback paragraphs relabelled where `probabilities` reach `threshold`
    for a label of `config.RELABEL_INTO`; and how many paragraphs went to each label."""
    best = probabilities.argmax(axis=1)
    allowed = np.isin(best, [LABELS.index(label) for label in config.RELABEL_INTO])
    confident = (probabilities.max(axis=1) >= threshold) & allowed
    changed: Counter[str] = Counter()
    relabelled, row = [], 0
    for doc in docs:
        labels = list(doc.labels)
        for i, rule in enumerate(doc.rules):
            if rule == DEFAULT_RULE and confident[row + i] and LABELS[best[row + i]] != labels[i]:
                labels[i] = LABELS[best[row + i]]
                changed[labels[i]] += 1
        relabelled.append(labels)
        row += len(labels)
    return relabelled, changed
