"""Paragraph features: computed for a whole batch at once, yet each text's row is its own."""
import re
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from winnow.document import Document
from winnow.codepoints import HEAD_CHARS, TAIL_CHARS, CharClasses, CodePoints, clip
from winnow.features import ParagraphFeaturizer
from winnow.shape import _CLASSES, _DIGIT_PATTERNS, SHAPE_NAMES, _digit_pattern_flags, shape_matrix
from winnow.texthash import EDGE_WEIGHT, SYMBOLS, hashed_text

# Texts as users send them: any characters but NUL (refused at the door) and lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
BATCH = st.lists(TEXT, max_size=8)
TOKEN = re.compile(r"\b\w+\b|[" + re.escape(SYMBOLS) + "]")
N_FEATURES = 2**18


def words(texts):
    return hashed_text(CodePoints.of(texts), N_FEATURES)[:, :N_FEATURES].toarray()


def char_grams(texts):
    return hashed_text(CodePoints.of(texts), N_FEATURES)[:, N_FEATURES:].toarray()


MARKS = ".%€\U0001f600"
CLASSES = CharClasses({"digit": str.isdigit, "marks": MARKS, "space": str.isspace})


@given(st.lists(st.sampled_from("aZ09 _.%€\u00a0\u0663\U0001d7ce\U0001f600"), max_size=30).map("".join))
def test_a_character_class_holds_where_its_predicate_or_its_characters_say(text):
    codes = np.array([ord(char) for char in text], dtype=np.uint32)
    found = CLASSES.of(codes)
    for name, holds in (("digit", str.isdigit), ("marks", lambda char: char in MARKS), ("space", str.isspace)):
        assert ((found & CLASSES.bits[name]) != 0).tolist() == [holds(char) for char in text]


@given(BATCH)
def test_counts_per_text_are_what_each_text_holds(texts):
    points = CodePoints.of(texts)
    digits = np.frombuffer(("".join(str(int(c.isdigit())) for c in points.joined) + "0").encode(), np.uint8) == 49
    assert points.count(digits).tolist() == [sum(c.isdigit() for c in clip(t)) for t in texts]


@settings(max_examples=50)
@given(BATCH, TEXT)
@example(others=["5 items", "USD 3"], text="Price $")
def test_a_document_has_the_same_features_whatever_else_is_in_its_batch(others, text):
    document = Document.from_paragraphs([text, *others])
    around = [Document.from_paragraphs(others), Document.from_paragraphs([text])]
    alone = ParagraphFeaturizer().transform([document]).matrix().toarray()
    batched = ParagraphFeaturizer().transform([around[0], document, *around]).matrix().toarray()
    assert np.array_equal(alone, batched[len(others):len(others) + len(document)])


def mix(value: int) -> int:
    """splitmix64's finaliser on Python integers."""
    value ^= value >> 30
    value = value * 0xBF58476D1CE4E5B9 % 2**64
    value ^= value >> 27
    value = value * 0x94D049BB133111EB % 2**64
    return value ^ (value >> 31)


def polynomial_hash(chars: str) -> int:
    value = 0
    for char in chars:
        lower = " " if char.isspace() else char.lower()
        value = (value * 0x100000001B3 + ord(lower if len(lower) == 1 else char)) % 2**64
    return mix(value)


def counted_row(hashes: list[int]) -> np.ndarray:
    """The hashes counted into their columns and scaled by one over the root of how many there are."""
    row = np.zeros(N_FEATURES)
    for column, count in Counter(h % N_FEATURES for h in hashes).items():
        row[column] = count
    return row / np.sqrt(max(len(hashes), 1))


def reference_word_row(text: str) -> np.ndarray:
    """The hashed word row of one text, computed the slow way: a regex for the tokens, Python integers for
    the hashes (see winnow.texthash), a Counter for the counts, then the salted first and last token."""
    hashes = [polynomial_hash(token) for token in TOKEN.findall(clip(text))]
    pairs = [mix((first * 0x9E3779B97F4A7C15 + second) % 2**64) for first, second in zip(hashes, hashes[1:])]
    row = counted_row(hashes + pairs)
    if hashes:
        row[mix(hashes[0] ^ 0x1234567) % N_FEATURES] += EDGE_WEIGHT
        row[mix(hashes[-1] ^ 0x7654321) % N_FEATURES] += EDGE_WEIGHT
    return row


def reference_char_gram_row(text: str) -> np.ndarray:
    """The hashed character 3-grams of one text, computed the slow way."""
    clipped = clip(text)
    return counted_row([polynomial_hash(clipped[i:i + 3]) for i in range(len(clipped) - 2)])


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_each_text_is_hashed_as_the_words_word_pairs_and_edge_words_a_regex_finds_in_it(texts):
    for row, text in zip(words(texts), texts):
        assert np.allclose(row, reference_word_row(text), atol=1e-6)


@given(st.lists(TEXT, min_size=1, max_size=4))
@example(texts=["ab\x00cd", "Home"])  # refused by the service and the CLI, not by Document
def test_each_text_is_hashed_as_the_runs_of_three_characters_in_it(texts):
    for row, text in zip(char_grams(texts), texts):
        assert np.allclose(row, reference_char_gram_row(text), atol=1e-6)


def test_character_grams_read_any_space_as_a_plain_one_and_ignore_case():
    plain, wrapped, shouted = char_grams(["Read more here", "Read\nmore\u00a0here", "READ MORE HERE"])
    assert np.array_equal(plain, wrapped) and np.array_equal(plain, shouted)
    assert np.count_nonzero(plain) == 12  # "rea", "ead", "ad ", ... "ere": all differ


def test_letters_beyond_the_basic_plane_are_words_too():
    [row] = words(["𝐅𝐑𝐄𝐄 𝐒𝐇𝐈𝐏𝐏𝐈𝐍𝐆 today"])
    assert np.count_nonzero(row) == 7  # three words, two pairs, the first and the last word


def test_words_are_hashed_regardless_of_case_and_differently_in_other_order():
    same, other, reordered = words(["Donate Now", "donate now", "now donate"])
    assert np.array_equal(same, other)
    assert not np.array_equal(same, reordered)  # the pairs differ
    assert np.count_nonzero(same) == 5  # donate, now, "donate now", first "donate", last "now"
    assert np.count_nonzero(same * reordered) == 2  # the two words


def test_a_first_or_last_word_counts_apart_from_the_same_word_inside_a_text():
    alone, inside = words(["Autos", "Cheap autos here"])
    assert np.count_nonzero(alone) == 3  # the word, and the word as first and as last
    assert np.count_nonzero(alone * inside) == 1  # only the word itself


def test_a_long_text_is_read_at_its_head_and_tail_only():
    middle = "filler " * 1000
    head, tail = "A" * HEAD_CHARS, "Z" * TAIL_CHARS
    assert clip(f"{head}{middle}{tail}") == f"{head} {tail}"
    first, second = words([f"{head}{middle}{tail}", f"{head}{middle.upper()}{tail}"])
    assert np.array_equal(first, second)


# Texts made of what the digit patterns look for, whole and in pieces, so that they match often.
PATTERN_PIECES = st.sampled_from(["5 min ago", "5min ago", "3 hours\u00a0ago", "20 USD", "3EUR", "Jan. 5", "March\n2",
                                  "12/05/17", "1.5.17", "1", "2", "0", "19", "2017", " ", "\u00a0", "/", ".", "min",
                                  "ago", "USD", "G", "Jan", "a", "\u00b2", "\u0663", "\U0001d7ce", "\u2028"])
PATTERN_TEXT = st.lists(PATTERN_PIECES, max_size=12).map("".join)


@given(st.lists(PATTERN_TEXT, max_size=8))
def test_each_digit_pattern_is_found_in_the_texts_a_search_of_each_text_finds_it_in(texts):
    points = CodePoints.of(texts)
    flags = _digit_pattern_flags(points, _CLASSES.of(points.codes))
    for name, pattern in _DIGIT_PATTERNS.items():
        assert flags[name].tolist() == [bool(pattern.search(clip(text))) for text in texts], name


@pytest.mark.parametrize("text, flag", [
    ("Subscribe for $5 a month", "has_currency"), ("Only £ 20", "has_currency"), ("Just 20 USD", "has_currency"),
    ("Published Oct. 5, 2017", "has_date"), ("12/05/17", "has_date"), ("Back in 1999", "has_date"),
    ("3 hours ago", "has_time_ago"), ("posted 5min ago", "has_time_ago"), ("Fee: 20EUR", "has_currency"),
    ("On 1.5.17", "has_date"), ("© The Times", "has_copyright"), ("Copyright notice", "has_copyright"),
    ("NewYork", "has_glued_words"), ("News | Sport", "has_pipe_or_bullet"), ("50% off", "has_percent"),
])
def test_shape_flags_fire_on_what_they_name(text, flag):
    plain = "A plain sentence"
    rows = shape_matrix(CodePoints.of([plain, text, plain]))
    column = SHAPE_NAMES.index(flag)
    assert rows[:, column].tolist() == [0.0, 1.0, 0.0]


def test_a_paragraph_wrapped_over_several_lines_reads_as_it_does_on_one_line():
    example = (Path(__file__).parent / "fixtures" / "moscow-times.txt").read_text(encoding="utf-8").splitlines()
    crafted = ["Updated 5 minutes ago by staff", "Published March 5, 2024", "Tickets from 100 USD", "NewYork | ©"]
    wrapped = [textwrap.fill(text, width) for text in example + crafted for width in (12, 30)]
    assert sum("\n" in text for text in wrapped) > len(wrapped) / 2
    on_one_line = [text.replace("\n", " ") for text in wrapped]
    featurizer = ParagraphFeaturizer()
    as_wrapped, as_one_line = (featurizer.transform([Document.from_paragraphs(texts)]).matrix()
                               for texts in (wrapped, on_one_line))
    assert (as_wrapped != as_one_line).nnz == 0


@pytest.mark.parametrize("text, flag", [
    ("It ends here.", "ends_sentence"), ("Cut off in the…", "ends_ellipsis"), ("Cut off in the...", "ends_ellipsis"),
    ("Read more:", "ends_colon"), ("Why now?", "ends_question"), ("“Quoted and closed.”", "ends_sentence"),
])
def test_how_a_paragraph_ends_is_read_past_closing_quotes(text, flag):
    [row] = shape_matrix(CodePoints.of([text]))
    assert row[SHAPE_NAMES.index(flag)] == 1.0


def test_hashed_rows_are_kept_once_per_distinct_text_and_each_paragraph_points_at_its_own():
    menu = ["Home", "News", "Sport"]
    documents = [Document.from_paragraphs([*menu, "A story about the council."]),
                 Document.from_paragraphs([*menu, "Another story about the weather."])]
    features = ParagraphFeaturizer().transform(documents)
    assert features.distinct_hashed.shape[0] == 5
    assert features.hashed.shape[0] == 8
    alone = ParagraphFeaturizer().transform([Document.from_paragraphs([text]) for text in menu])
    assert np.array_equal(features.hashed[4:7].toarray(), alone.hashed.toarray())


def test_the_dense_blocks_product_is_computed_without_building_the_block():
    documents = [Document.from_paragraphs(["Home", "News", "A story.", "Home", "© 2025 Daily"]),
                 Document.from_paragraphs(["Only one"]), Document.from_paragraphs(["Home", "A second story."])]
    for context in (0, 1, 2, 3):
        features = ParagraphFeaturizer(context=context).transform(documents)
        weights = np.random.default_rng(0).normal(size=(features.dense.shape[1], 5)).astype(np.float32)
        assert np.allclose(features.dense_product(weights), features.dense @ weights, atol=1e-5)


def test_the_hashed_columns_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        hashed_text(CodePoints.of(["Home"]), 1000)
