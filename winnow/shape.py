"""How paragraphs look, whatever their words: length, case, punctuation, digits.

Computed for a whole batch at once on its `CodePoints`: per-paragraph counts
are sums of character masks over each text's stretch (`reduceat`), and the few
patterns that need a regex are searched once over the joined texts.
"""
from __future__ import annotations

import re
import string

import numpy as np

from winnow.arrays import shifted, side_by_side
from winnow.codepoints import SEPARATOR, CharClasses, CodePoints, is_word_char, start_offsets

# Patterns with no cheaper test, each searched once over the joined texts; those
# that need a digit only over the texts where a cheap test on the code points
# says they can occur (`_digit_pattern_flags`). None needs to be exact, only
# telling. Words may be parted by any space, a line break inside a paragraph
# included (`Document.from_text` with blank-line paragraphs).
_PATTERNS = {"has_copyright": re.compile(r"©|Copyright|copyright|COPYRIGHT")}
_DIGIT_PATTERNS = {
    "has_time_ago": re.compile(r"\d\s?(?:min|mins|minutes?|hours?|hrs?|h|days?|d|weeks?)\s[Aa]go"),
    "has_month_date": re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s\d"),
    "has_numeric_date": re.compile(r"[12]\d?[/.][01]?\d[/.]\d\d"),
    "has_currency_code": re.compile(r"\d\s?(?:USD|EUR|GBP)"),
}
# Character classes, all found with one lookup per batch.
_CLASSES = CharClasses({
    "alpha": str.isalpha, "upper": str.isupper, "lower": str.islower, "digit": str.isdigit,
    "word": is_word_char, "space": str.isspace,
    "ascii_lower": string.ascii_lowercase, "ascii_upper": string.ascii_uppercase,
    "sentence_mark": ".!?", "closer": "\"'”’)]", "currency": "$€£¥₹", "has_percent": "%",
    "has_pipe_or_bullet": "|•·»›", "has_quote": "\"“”", "unit_or_code": "mhdwUEG", "date_separator": "/.",
})
_CHARACTER_FLAGS = ("has_percent", "has_pipe_or_bullet", "has_quote")
_FLAGS = ("has_currency", "has_percent", "has_time_ago", "has_date", "has_glued_words",
          "has_pipe_or_bullet", "has_copyright", "has_quote")

SHAPE_NAMES: tuple[str, ...] = (
    "log_chars", "log_words", "ends_sentence", "ends_ellipsis", "ends_colon", "ends_question",
    "is_short", "upper_ratio", "title_ratio", "digit_ratio", "starts_lower", "mean_word_len",
    "n_sentences", "all_caps", "no_letters", *_FLAGS,
)
N_SHAPE = len(SHAPE_NAMES)


def shape_matrix(points: CodePoints) -> np.ndarray:
    """One row of `SHAPE_NAMES` values, each about in [0, 1], per text of `points`."""
    n = len(points)
    if n == 0:
        return np.zeros((0, N_SHAPE), dtype=np.float32)
    codes, count = points.codes, points.count
    starts, ends, lengths = points.starts, points.ends, points.lengths
    classes = _CLASSES.of(codes)

    def where(name: str) -> np.ndarray:
        return _CLASSES.where(classes, name)

    def of_class(code: np.ndarray, name: str) -> np.ndarray:
        return _CLASSES.where(_CLASSES.of(code), name)

    is_upper, is_digit, is_space, word_char = where("upper"), where("digit"), where("space"), where("word")
    letters, upper, digits = count(where("alpha")), count(is_upper), count(is_digit)
    word_start = word_char & ~shifted(word_char, -1)
    words = count(word_start)
    chars_in_words = count(word_char)
    titled = count(word_start & is_upper)
    # A sentence mark ends a sentence before a space or at the end of its text (the separator).
    sentences = count(where("sentence_mark") & shifted(is_space | (codes == ord(SEPARATOR)), 1))

    flags = {name: _marks(n, _texts_with(pattern, points.joined, starts)) for name, pattern in _PATTERNS.items()}
    flags.update(_digit_pattern_flags(points, classes))
    flags.update({name: count(where(name)) > 0 for name in _CHARACTER_FLAGS})
    # "$5", "£ 20", "20 USD": a currency sign before a digit, a space between at most, or a code after
    digit_next = shifted(is_digit, 1) | (shifted(is_space, 1) & shifted(is_digit, 2))
    flags["has_currency"] = (count(where("currency") & digit_next) > 0) | flags.pop("has_currency_code")
    # "1999", "2017": a year, four digits not followed by a fifth
    year = ((codes == ord("1")) & shifted(codes == ord("9"), 1)
            | (codes == ord("2")) & shifted(codes == ord("0"), 1))
    year &= shifted(is_digit, 2) & shifted(is_digit, 3) & ~shifted(is_digit, 4)
    flags["has_date"] = flags.pop("has_month_date") | flags.pop("has_numeric_date") | (count(year) > 0)
    # "NewYork", "iPhone": a lower-case letter, an upper-case one, a lower-case one
    lower = where("ascii_lower")
    flags["has_glued_words"] = count(lower & shifted(where("ascii_upper"), 1) & shifted(lower, 2)) > 0

    char_at = points.char_at
    last = char_at(ends - 1)
    closer = of_class(last, "closer")
    final = np.where(closer, char_at(ends - 2), last)
    ellipsis = (final == ord("…")) | ((final == ord(".")) & (char_at(ends - 2 - closer) == ord("."))
                                      & (char_at(ends - 3 - closer) == ord(".")))
    full_length = points.full_lengths
    estimated_words = words * full_length / np.maximum(lengths, 1)

    columns = [
        np.log1p(full_length) / 8.0,
        np.log1p(estimated_words) / 6.0,
        of_class(final, "sentence_mark") & ~ellipsis,
        ellipsis,
        final == ord(":"),
        final == ord("?"),
        words <= 3,
        upper / np.maximum(letters, 1),
        titled / np.maximum(words, 1),
        digits / np.maximum(lengths, 1),
        of_class(char_at(starts), "lower") & (lengths > 0),
        np.minimum(chars_in_words / np.maximum(words, 1) / 10.0, 1.5),
        np.minimum(sentences / 5.0, 1.0),
        (letters > 1) & (upper == letters),
        letters == 0,
        *(flags[name] for name in _FLAGS),
    ]
    return side_by_side(columns)


def _digit_pattern_flags(points: CodePoints, classes: np.ndarray) -> dict[str, np.ndarray]:
    """Whether each text holds each of `_DIGIT_PATTERNS`, searched only in the texts where it can
    match (`classes`: `_CLASSES` of the code points): a digit then (a space and) m, h, d, w (a unit) or
    U, E, G (a currency code); a digit, / or . and a digit; a space then a digit."""
    is_digit, is_space, unit_or_code, date_separator = (
        _CLASSES.where(classes, name) for name in ("digit", "space", "unit_or_code", "date_separator"))
    digit_then_unit = is_digit & (shifted(unit_or_code, 1) | shifted(is_space, 1) & shifted(unit_or_code, 2))
    candidates = {"has_time_ago": digit_then_unit, "has_currency_code": digit_then_unit,
                  "has_numeric_date": date_separator & shifted(is_digit, -1) & shifted(is_digit, 1),
                  "has_month_date": is_space & shifted(is_digit, 1)}
    flags = {}
    for name, pattern in _DIGIT_PATTERNS.items():
        texts = np.unique(points.owner(np.flatnonzero(candidates[name])))
        joined = SEPARATOR.join([points.texts[i] for i in texts])
        flags[name] = _marks(len(points), texts[_texts_with(pattern, joined, start_offsets(points.lengths[texts]))])
    return flags


def _texts_with(pattern: re.Pattern, joined: str, starts: np.ndarray) -> np.ndarray:
    """Indexes of the texts, joined at `starts`, in which `pattern` occurs (repeated per match)."""
    positions = np.fromiter((m.start() for m in pattern.finditer(joined)), dtype=np.int64)
    return np.searchsorted(starts, positions, side="right") - 1


def _marks(n: int, indexes: np.ndarray) -> np.ndarray:
    marked = np.zeros(n, dtype=bool)
    marked[indexes] = True
    return marked
