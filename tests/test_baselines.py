"""The baselines winnow is compared with: the rule, the scores, and extractor output mapped back to paragraphs."""
import pytest

from train.baselines import (EXTRACTORS, article_scores, justext_text, kept_paragraphs, rule_label,
                             text_f1, to_html, trafilatura_text)

MENU = ["Home", "World", "Business", "Sign in", "Subscribe"]
TITLE = "Q&A: city council approves new budget after months of debate"
BODY = [
    "The city council on Tuesday approved a $4.2 billion budget for the coming fiscal year, ending months of "
    "debate over how the city should pay for its new schools, for the repair of its oldest roads and bridges, "
    "and for a larger police force that the mayor had promised during her campaign.",
    "The vote was 7 to 2. Council members who opposed the plan said that it relied far too heavily on a "
    "one-time transfer from the city's reserve fund, and that it would leave a gap in next year's accounts "
    "that no one on the council had yet explained how they would close.",
    "\"We have made hard choices, and I believe that they are the right ones for the families of this city,\" "
    "Mayor Ellen Park said after the vote, adding that she would sign the budget on Friday and that the first "
    "of the new school projects could begin before the end of the summer.",
    "The budget raises spending on public schools by 6 percent and sets aside $120 million for road repairs, "
    "which is the largest such amount in more than a decade, according to the city's finance office, which "
    "published its own analysis of the plan on its website on Monday.",
    "Residents who spoke at the final hearing were divided. Some of them praised the money for parks and for "
    "libraries, while others warned that property taxes would have to rise within two years if the city was "
    "going to keep its books balanced without further cuts to services.",
]
FOOTER = ["© 2024 Example News. All rights reserved.", "Privacy Policy | Terms & Conditions"]
PAGE = MENU + [TITLE] + BODY + FOOTER


@pytest.mark.parametrize("paragraph, label", [
    ("The council voted on Tuesday to approve the new budget for the coming year.", "article"),
    ("He said the plan “would help families across the state for many years to come.”", "article"),
    ("Was it worth it? Nobody on the council could say for certain, and nobody tried!", "article"),
    ("He declined to comment.", "boilerplate"),  # a sentence, but too short
    ("Sign up for our newsletter to get the latest news delivered to your inbox", "boilerplate"),
    ("ADVERTISEMENT", "ad"),
    ("Sponsored: the ten best mattresses of the year", "ad"),
    ("Donate", "donation_appeal"),
    ("Support us with a monthly gift", "donation_appeal"),
    ("Become a member", "donation_appeal"),
    ("Storm batters the coast as thousands of homes lose power across the north of the country…",
     "headline_teaser"),
    ("Storm batters the coast as thousands of homes lose power across the north of the country...",
     "headline_teaser"),
    ("Read more: local team wins the title", "headline_teaser"),
    ("RELATED: Fire crews contain blaze", "headline_teaser"),
    ("Home", "boilerplate"),
    ("", "boilerplate"),
])
def test_the_rule_baseline_labels_by_length_sentence_end_and_keywords(paragraph, label):
    assert rule_label(paragraph) == label


def test_identical_texts_have_shingle_f1_one_and_disjoint_texts_zero():
    text = "The council approved the budget on Tuesday after a long debate."
    assert text_f1([text], [text]) == 1.0
    assert text_f1([text], ["Sign in to read the rest of this story today"]) == 0.0


def test_shingles_are_lower_cased_word_four_grams_and_ignore_punctuation():
    assert text_f1(["The cat sat on the mat."], ["the CAT sat, on the mat"]) == 1.0


def test_a_text_cut_short_loses_recall_only():
    # gold shingles: (the cat sat on), (cat sat on the), (sat on the mat); predicted: the first two
    # precision 1, recall 2/3, F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert text_f1(["the cat sat on the mat"], ["the cat sat on the"]) == pytest.approx(0.8)


def test_text_f1_is_micro_averaged_over_documents():
    # 2 of 3 gold shingles found, none wrong: F1 0.8 (a macro average would give (1 + 0) / 2)
    gold = ["one two three four five", "alpha beta gamma delta"]
    assert text_f1(gold, ["one two three four five", ""]) == pytest.approx(0.8)


def test_a_text_kept_twice_is_penalised_because_shingles_are_a_multiset():
    # predicted shingles: wxyz, xyzw, yzwx, zwxy, wxyz; one matches the gold one: P 1/5, R 1, F1 1/3
    assert text_f1(["w x y z"], ["w x y z\nw x y z"]) == pytest.approx(1 / 3)


def test_a_text_shorter_than_four_words_is_one_shingle():
    assert text_f1(["Breaking news"], ["breaking news"]) == 1.0
    assert text_f1(["Breaking news"], ["breaking"]) == 0.0


def test_article_scores_are_precision_recall_and_f1_of_the_article_paragraphs():
    gold = [True, True, False, False]
    assert article_scores(gold, [True, False, True, False]) == pytest.approx((0.5, 0.5, 0.5))
    assert article_scores(gold, [False] * 4) == (0.0, 0.0, 0.0)


def test_the_page_has_one_escaped_paragraph_element_per_paragraph_and_a_title():
    page = to_html(["a < b & c", "d"])
    assert "<p>a &lt; b &amp; c</p>" in page and "<p>d</p>" in page and "<title>" in page


def test_a_paragraph_is_kept_when_most_of_its_words_are_in_the_output_in_order():
    paragraphs = ["He went home after the match, tired but happy.", "Home",
                  "The coach said the team would rest for a week before the final.",
                  "A long paragraph whose link at the end was dropped Read more", ""]
    extracted = ("he went home after the match,   tired but happy. The coach said the team would rest for "
                 "a week before the final.\nA long paragraph whose link at the end was dropped")
    assert kept_paragraphs(paragraphs, extracted) == [True, False, True, True, False]


def test_nothing_is_kept_from_an_empty_output():
    assert kept_paragraphs(["Home", "A sentence of some length."], "") == [False, False]


@pytest.mark.parametrize("extract", EXTRACTORS.values(), ids=EXTRACTORS.keys())
def test_extractor_output_maps_back_to_the_paragraphs_it_prints(extract):
    # Both extractors print each <p> of this page they keep as one line, unchanged:
    # the mapping must find exactly those, and every body paragraph is among them.
    extracted = extract(to_html(PAGE))
    kept = kept_paragraphs(PAGE, extracted)
    assert kept == [p in extracted.splitlines() for p in PAGE]
    assert all(kept[len(MENU) + 1:len(MENU) + 1 + len(BODY)])


def test_jusText_keeps_the_body_and_drops_the_menu_while_trafilatura_keeps_every_line_of_flat_paragraphs():
    # What the comparison rests on, so that a new library version that changes it is noticed.
    assert kept_paragraphs(PAGE, justext_text(to_html(PAGE))) == [p in BODY for p in PAGE]
    assert all(kept_paragraphs(PAGE, trafilatura_text(to_html(PAGE))))
