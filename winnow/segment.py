"""Turn per-paragraph labels into the segmented result users receive."""
from __future__ import annotations

from itertools import groupby
from typing import Any, Sequence

import numpy as np

from winnow.document import Document
from winnow.inputs import Item
from winnow.labels import ARTICLE
from winnow.model import LoadedModel

ARTICLE_JOINER = "\n\n"


def segments(labels: Sequence[str], document: Document) -> list[dict[str, Any]]:
    """Maximal runs of equal labels, with paragraph indexes and offsets."""
    runs: list[dict[str, Any]] = []
    first = 0
    for label, run in groupby(labels):
        last = first + len(list(run)) - 1
        runs.append({"label": label, "first": first, "last": last,
                     "start": document.starts[first], "end": document.ends[last]})
        first = last + 1
    return runs


def result(document: Document, labels: Sequence[str], confidences: Sequence[float],
           model: dict[str, str], flag_below: float | None = None) -> dict[str, Any]:
    """The result JSON of the contract for one labelled document.

    With `flag_below`, every paragraph also says whether its confidence is
    below it (``"uncertain": true``): the ones a person may want to check.
    """
    rounded = np.round(np.asarray(confidences, dtype=np.float64), 4).tolist()
    paragraphs = [
        {"index": index, "text": text, "label": label, "confidence": confidence, "start": start, "end": end}
        for index, (text, label, confidence, start, end) in enumerate(
            zip(document.paragraphs, labels, rounded, document.starts, document.ends))
    ]
    if flag_below is not None:
        for paragraph in paragraphs:
            paragraph["uncertain"] = paragraph["confidence"] < flag_below
    article = ARTICLE_JOINER.join(
        [text for text, label in zip(document.paragraphs, labels) if label == ARTICLE])
    return {"id": document.id, "model": model, "paragraphs": paragraphs,
            "segments": segments(labels, document), "article": article}


def segment_documents(model: LoadedModel, documents: Sequence[Document],
                      flag_below: float | None = None) -> list[dict[str, Any]]:
    """Label every paragraph of a batch of documents in one pass and build their results
    (flagging paragraphs whose confidence is below `flag_below`, when given)."""
    predictions = model.classifier.predict(documents)
    return [result(document, prediction.labels, prediction.confidences, model.info, flag_below)
            for document, prediction in zip(documents, predictions)]


def segment_items(model: LoadedModel, items: Sequence[Item], flag_below: float | None = None) -> list[dict[str, Any]]:
    """Results in the order of `items`: every document among them labelled in one pass, and each
    error entry kept in its place."""
    results = iter(segment_documents(model, [item for item in items if isinstance(item, Document)], flag_below))
    return [next(results) if isinstance(item, Document) else item for item in items]
