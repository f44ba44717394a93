"""How paragraphs look, whatever their words: length, case, punctuation, digits.

Computed for a whole batch at once: the texts are joined into one string, its
characters become one numpy array of code points, per-paragraph counts are
differences of cumulative sums, and each pattern is searched once over the
joined string, its matches mapped back to paragraphs with `searchsorted`.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

# Long paragraphs are article text or appeal letters: their start and end say
# all the model needs, and reading only those keeps the cost per paragraph flat.
HEAD_CHARS = 400
TAIL_CHARS = 80
_SEPARATOR = "\x00"  # never inside a paragraph: inputs with NUL are refused

# Each pattern opens with a literal character class so that the scan skips
# ahead quickly; none needs to be exact, only telling.
_PATTERNS = {
    "has_currency": re.compile(r"[$€£¥₹]\s?\d|\d ?(?:USD|EUR|GBP)"),
    "has_time_ago": re.compile(r"\d ?(?:min|mins|minutes?|hours?|hrs?|h|days?|d|weeks?) [Aa]go"),
    "has_date": re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d"
                           r"|[12]\d?[/.][01]?\d[/.]\d\d|(?:19|20)\d\d(?!\d)"),
    "has_glued_words": re.compile(r"[a-z][A-Z][a-z]"),
    "has_copyright": re.compile(r"©|[Cc]opyright|COPYRIGHT"),
}
# Single characters are found on the code-point array, without a regex scan.
_CHARACTERS = {
    "has_percent": [ord(c) for c in "%"],
    "has_pipe_or_bullet": [ord(c) for c in "|•·»›"],
    "has_quote": [ord(c) for c in "\"“”"],
}
_FLAGS = ("has_currency", "has_percent", "has_time_ago", "has_date", "has_glued_words",
          "has_pipe_or_bullet", "has_copyright", "has_quote")
_SENTENCE_MARKS = [ord(c) for c in ".!?"]
_CLOSERS = "\"'”’)]"

SHAPE_NAMES: tuple[str, ...] = (
    "log_chars", "log_words", "ends_sentence", "ends_ellipsis", "ends_colon", "ends_question",
    "is_short", "upper_ratio", "title_ratio", "digit_ratio", "starts_lower", "mean_word_len",
    "n_sentences", "all_caps", "no_letters", *_FLAGS,
)
N_SHAPE = len(SHAPE_NAMES)


def _char_table(predicate) -> np.ndarray:
    return np.array([predicate(chr(code)) for code in range(0x10000)], dtype=bool)


_IS_ALPHA = _char_table(str.isalpha)
_IS_UPPER = _char_table(str.isupper)
_IS_LOWER = _char_table(str.islower)
_IS_DIGIT = _char_table(str.isdigit)
_IS_WORD = _char_table(lambda c: c.isalnum() or c == "_")
_IS_SPACE = _char_table(lambda c: c.isspace() or c == _SEPARATOR)


def clip(text: str) -> str:
    """The head and tail of a long paragraph, stripped; a short one whole."""
    text = text.strip()
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + " " + text[-TAIL_CHARS:]


def shape_matrix(texts: Sequence[str]) -> np.ndarray:
    """One row of `SHAPE_NAMES` values, each about in [0, 1], per text."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, N_SHAPE), dtype=np.float32)
    clipped = [clip(t) for t in texts]
    joined = _SEPARATOR.join(clipped)
    lengths = np.fromiter(map(len, clipped), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    ends = starts + lengths
    # A trailing separator keeps the array non-empty when every text is: index -1 stays valid.
    codes = np.frombuffer((joined + _SEPARATOR).encode("utf-32-le"), dtype=np.uint32)
    bmp = np.minimum(codes, 0xFFFF)

    def count(mask: np.ndarray) -> np.ndarray:
        running = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
        return running[ends] - running[starts]

    def matches(pattern: re.Pattern) -> np.ndarray:
        positions = np.fromiter((m.start() for m in pattern.finditer(joined)), dtype=np.int64)
        owner = np.searchsorted(starts, positions, side="right") - 1
        return np.bincount(owner, minlength=n)

    def char_at(index: np.ndarray) -> np.ndarray:
        """The code point at each index, or 0 where the index falls outside its text."""
        inside = (index >= starts) & (index < ends)
        return np.where(inside, codes[np.clip(index, 0, len(codes) - 1)], 0)

    letters, upper = count(_IS_ALPHA[bmp]), count(_IS_UPPER[bmp])
    digits = count(_IS_DIGIT[bmp])
    word_char = _IS_WORD[bmp]
    word_start = word_char & ~np.concatenate([[False], word_char[:-1]])
    words = count(word_start)
    chars_in_words = count(word_char)
    titled = count(word_start & _IS_UPPER[bmp])
    next_is_space = np.concatenate([_IS_SPACE[bmp[1:]], [True]])
    sentences = count(np.isin(codes, _SENTENCE_MARKS) & next_is_space)

    flags = {name: matches(pattern) > 0 for name, pattern in _PATTERNS.items()}
    flags.update({name: count(np.isin(codes, characters)) > 0 for name, characters in _CHARACTERS.items()})

    last = char_at(ends - 1)
    closer = np.isin(last, [ord(c) for c in _CLOSERS])
    final = np.where(closer, char_at(ends - 2), last)
    ellipsis = (final == ord("…")) | ((final == ord(".")) & (char_at(ends - 2 - closer) == ord("."))
                                      & (char_at(ends - 3 - closer) == ord(".")))
    full_length = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    estimated_words = words * full_length / np.maximum(lengths, 1)

    columns = [
        np.log1p(full_length) / 8.0,
        np.log1p(estimated_words) / 6.0,
        np.isin(final, _SENTENCE_MARKS) & ~ellipsis,
        ellipsis,
        final == ord(":"),
        final == ord("?"),
        words <= 3,
        upper / np.maximum(letters, 1),
        titled / np.maximum(words, 1),
        digits / np.maximum(lengths, 1),
        _IS_LOWER[np.minimum(char_at(starts), 0xFFFF)] & (lengths > 0),
        np.minimum(chars_in_words / np.maximum(words, 1) / 10.0, 1.5),
        np.minimum(sentences / 5.0, 1.0),
        (letters > 1) & (upper == letters),
        letters == 0,
        *(flags[name] for name in _FLAGS),
    ]
    return np.column_stack(columns).astype(np.float32)
