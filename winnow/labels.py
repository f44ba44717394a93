"""The five paragraph labels of the annotation guideline (docs/labels.md).

This module is the only place the label set is written down; everything else
reads it from here.
"""
from enum import Enum


class Label(str, Enum):
    ARTICLE = "article"
    AD = "ad"
    DONATION_APPEAL = "donation_appeal"
    HEADLINE_TEASER = "headline_teaser"
    BOILERPLATE = "boilerplate"


LABELS: tuple[str, ...] = tuple(label.value for label in Label)
LABEL_INDEX: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
"""A label's column in probability arrays: its place in `LABELS`."""
ARTICLE: str = Label.ARTICLE.value
