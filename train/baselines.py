"""What users would use instead of winnow, scored on the same documents.

Four baselines stand beside winnow:

- **trafilatura** (its defaults: no ``favor_recall``/``favor_precision``, the
  fallback extractors on — what ``trafilatura.extract(html)`` gives a user) and
  **jusText** (English stoplist, default thresholds), each given the document
  as an HTML page of one ``<p>`` per paragraph (`to_html`). They say only
  which text is article, so they are scored on article-vs-rest alone.
- a **keyword/length rule** (`rule_label`) and the **majority label**
  (``boilerplate``), which label all five classes.

Scores: paragraph-level article-vs-rest precision, recall and F1, pooled over
all paragraphs; article-text F1 over word 4-gram shingles, micro-averaged over
documents (`text_f1`); and, for the five-label systems, macro-F1 over the
labels (`train.metrics.per_label_scores`). An extractor's text F1 is computed
on the text it actually returned, its paragraph scores on the paragraphs that
text is mapped back to (`kept_paragraphs`).
"""
from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections import Counter
from functools import cache
from typing import Callable, Sequence

import justext
import numpy as np
import trafilatura

from train import dataset
from train.dataset import LabelledDocument
from train.metrics import per_label_scores
from winnow.labels import ARTICLE, Label

MAJORITY_LABEL = Label.BOILERPLATE.value
SHINGLE = 4
# A paragraph counts as kept when at least this share of its tokens is found,
# in order, in the extractor's output.
KEPT_SHARE = 0.5
PAGE_TITLE = "News"  # the same for every page: the title must not hint at the article

DESCRIPTION = (
    "Each system labels the same documents. trafilatura (default settings) and jusText (English stoplist) "
    "read each document as an HTML page of one <p> per paragraph and only say which text is article; a "
    f"paragraph counts as kept when at least {KEPT_SHARE:.0%} of its tokens are found, in order, in their output. The "
    "keyword/length rule calls a paragraph of at least 10 words that ends a sentence `article`, and otherwise "
    "looks for a few keywords of ads, appeals and teasers; the majority baseline calls everything "
    f"`{MAJORITY_LABEL}`. Article precision, recall and F1 are over all paragraphs, article against the rest. "
    f"Article-text F1 compares the multisets of lower-cased word {SHINGLE}-grams of the extracted text (for an "
    "extractor, the text it returned) and of the gold article paragraphs, micro-averaged over documents. "
    "Macro-F1 is over the five labels, for the systems that give them.")
HEADER = ["system", "article precision", "article recall", "article F1",
          f"article-text F1 ({SHINGLE}-gram shingles)", "macro-F1 (5 labels)"]

# -- extractors ----------------------------------------------------------------


def to_html(paragraphs: Sequence[str]) -> str:
    """A minimal page with one ``<p>`` per paragraph, the form the HTML extractors read."""
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return (f'<html><head><meta charset="utf-8"><title>{PAGE_TITLE}</title></head>'
            f"<body>\n{body}</body></html>")


def trafilatura_text(page: str) -> str:
    """The article text trafilatura extracts from a page, with its default settings."""
    return trafilatura.extract(page) or ""


def justext_text(page: str) -> str:
    """The non-boilerplate paragraphs jusText finds in a page, one per line."""
    return "\n".join(p.text for p in justext.justext(page, _english_stoplist()) if not p.is_boilerplate)


@cache
def _english_stoplist() -> frozenset[str]:
    return justext.get_stoplist("English")


EXTRACTORS: dict[str, Callable[[str], str]] = {"trafilatura": trafilatura_text, "jusText": justext_text}


def kept_paragraphs(paragraphs: Sequence[str], extracted: str) -> list[bool]:
    """Which input paragraphs an extractor's output text keeps.

    Extractors re-flow text: they merge or split blocks, trim and collapse
    whitespace, unescape entities and drop pieces of a paragraph. So the
    output is not matched line by line: both sides become one sequence of
    NFKC-normalised, case-folded tokens (words and single punctuation marks),
    the two sequences are aligned in order with `difflib.SequenceMatcher`, and
    a paragraph is kept when at least `KEPT_SHARE` of its tokens are aligned.
    A paragraph without tokens is never kept. Of repeated lines, the copies
    are matched in order; a line the extractor moves out of order is missed
    (rare: trafilatura's menus now and then).
    """
    tokens = [_tokens(p) for p in paragraphs]
    owner = np.repeat(np.arange(len(paragraphs)), [len(t) for t in tokens])
    matcher = difflib.SequenceMatcher(None, [t for ts in tokens for t in ts], _tokens(extracted), autojunk=False)
    aligned = np.zeros(len(owner), dtype=bool)
    for block in matcher.get_matching_blocks():
        aligned[block.a:block.a + block.size] = True
    found = np.bincount(owner[aligned], minlength=len(paragraphs))
    return [bool(t) and bool(found[i] >= KEPT_SHARE * len(t)) for i, t in enumerate(tokens)]


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", unicodedata.normalize("NFKC", text).casefold())


# -- five-label baselines -------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<!\.)[.!?][\"'”’»)\]]*$")  # an ellipsis is not a sentence end
_KEYWORD_RULES = (
    (Label.AD.value, re.compile(r"\b(?:advertisement|sponsored)\b")),
    (Label.DONATION_APPEAL.value, re.compile(r"\b(?:donate|support us|become a member)\b")),
    (Label.HEADLINE_TEASER.value, re.compile(r"(?:…|\.\.\.)$|\b(?:read more|related)\b")),
)


def rule_label(paragraph: str) -> str:
    """≥ 10 words ending a sentence is article; else the first keyword rule that fires; else boilerplate."""
    text = paragraph.strip()
    if len(text.split()) >= 10 and _SENTENCE_END.search(text):
        return ARTICLE
    lowered = text.lower()
    for label, pattern in _KEYWORD_RULES:
        if pattern.search(lowered):
            return label
    return MAJORITY_LABEL


# -- scores ---------------------------------------------------------------------


def shingles(text: str, n: int = SHINGLE) -> Counter:
    """The multiset of lower-cased word n-grams; a text of 1 to n-1 words is one shorter shingle."""
    words = re.findall(r"\w+", text.lower())
    if 0 < len(words) < n:
        return Counter([tuple(words)])
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def text_f1(gold_texts: Sequence[str], predicted_texts: Sequence[str]) -> float:
    """Shingle F1 of predicted vs gold article texts, micro-averaged over documents.

    The shingle multisets of each document are compared, and the overlaps and
    sizes are summed over documents before precision and recall are taken, so
    a document without gold article text still counts what was wrongly kept.
    """
    overlap = predicted = gold = 0
    for gold_text, predicted_text in zip(gold_texts, predicted_texts, strict=True):
        g, p = shingles(gold_text), shingles(predicted_text)
        overlap += sum((g & p).values())
        predicted += sum(p.values())
        gold += sum(g.values())
    return _f1(overlap / predicted if predicted else 0.0, overlap / gold if gold else 0.0)


def article_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the article-vs-rest decision over all paragraphs."""
    gold, predicted = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    hits = int(np.sum(gold & predicted))
    precision = hits / predicted.sum() if predicted.any() else 0.0
    recall = hits / gold.sum() if gold.any() else 0.0
    return float(precision), float(recall), _f1(precision, recall)


def _f1(precision: float, recall: float) -> float:
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0


# -- the comparison -------------------------------------------------------------


def compare(docs: Sequence[LabelledDocument], winnow_labels: Sequence[str]) -> list[list]:
    """One `HEADER` row each for winnow and every baseline, scored on `docs`.

    `winnow_labels` are winnow's predicted labels for all paragraphs of
    `docs`, flat and in order (as `train.evaluate.evaluate` returns them).
    Runs both extractors on every document, so this takes a while.
    """
    bounds = np.cumsum([0] + [len(d.labels) for d in docs])
    winnow_labels = list(winnow_labels)
    rows = [_labelled_row("winnow", docs, [winnow_labels[a:b] for a, b in zip(bounds[:-1], bounds[1:])])]
    rows += [_extractor_row(name, docs, [extract(to_html(d.document.paragraphs)) for d in docs])
             for name, extract in EXTRACTORS.items()]
    rows.append(_labelled_row("keyword/length rule", docs,
                              [[rule_label(p) for p in d.document.paragraphs] for d in docs]))
    rows.append(_labelled_row(f"majority label ({MAJORITY_LABEL})", docs,
                              [[MAJORITY_LABEL] * len(d.labels) for d in docs]))
    return rows


def _labelled_row(name: str, docs: Sequence[LabelledDocument], labels: Sequence[Sequence[str]]) -> list:
    gold = dataset.gold_labels(docs)
    predicted = [label for doc_labels in labels for label in doc_labels]
    texts = [_article_text(d.document.paragraphs, doc_labels) for d, doc_labels in zip(docs, labels)]
    return [name, *article_scores(np.asarray(gold) == ARTICLE, np.asarray(predicted) == ARTICLE),
            text_f1(_gold_texts(docs), texts), per_label_scores(gold, predicted)["macro_f1"]]


def _extractor_row(name: str, docs: Sequence[LabelledDocument], texts: Sequence[str]) -> list:
    gold = dataset.gold_labels(docs) == ARTICLE
    kept = [k for d, text in zip(docs, texts) for k in kept_paragraphs(d.document.paragraphs, text)]
    return [name, *article_scores(gold, kept), text_f1(_gold_texts(docs), texts), "—"]


def _gold_texts(docs: Sequence[LabelledDocument]) -> list[str]:
    return [_article_text(d.document.paragraphs, d.labels) for d in docs]


def _article_text(paragraphs: Sequence[str], labels: Sequence[str]) -> str:
    return "\n".join(p for p, label in zip(paragraphs, labels) if label == ARTICLE)
