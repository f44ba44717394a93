"""Weak labels for the blocks a corpus does not mark as article.

Neither corpus says which non-article text is an ad, an appeal or a teaser
(L3S marks a few teaser lists, Big9/Chaos nothing), so these rules do, from a
block's text and the structure around it (see train.html_blocks.Block). They
follow the annotation guideline (labels.md) and aim at precision: a rule fires
only where its label is clear, and everything else stays ``boilerplate``, which
is what most page furniture is anyway.

RULES is read top to bottom and the first rule that fires wins, so guards come
before the rules they protect: a link in a menu is boilerplate before it can
look like a teaser headline. label_blocks adds one rule that reads neighbours.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from train.html_blocks import Block
from winnow.labels import Label

AD = Label.AD.value
DONATION = Label.DONATION_APPEAL.value
TEASER = Label.HEADLINE_TEASER.value
BOILERPLATE = Label.BOILERPLATE.value
DEFAULT_RULE = "default"

HEADLINE_WORDS = (4, 24)
"""A teaser headline has this many words, inclusive."""
LINKED_HEADLINE_MIN_WORDS = 5
"""Outside a teaser container a linked line needs more words to count as a headline: on the
hand-checked training pages, linked lines of 4 words were other stories only 63 % of the time
(menu items, event listings, film titles), of 5 words 79 %, of 6 or more 95 %."""
LINKED = 0.8
"""Share of a block's characters inside links for it to count as a link."""
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _pattern(*alternatives: str) -> re.Pattern[str]:
    """A case-insensitive regex matching the whole (stripped) text."""
    return re.compile(r"^\W*(?:" + "|".join(alternatives) + r")\W*$", re.I)


# -- text patterns -----------------------------------------------------------

AD_LABEL = _pattern(
    r"advertisements?", r"advert", r"ads?",
    r"sponsored( (links?|content|stories|posts?|headlines|resources|features|topics|results))?",
    r"sponsored by\b.*", r"supported by\b.{0,60}", r"presented by\b.{0,60}",
    r"promoted( (content|stories|links?))?", r"paid (content|post|partner)", r"partner content",
    r"advertiser content", r"from (our|the) (partners|advertisers|sponsors)", r"around the web",
    r"ads by google", r"ads from .{0,40}", r"advertisement\W+continue reading below",
    r"story continues below( this)? advertisement", r"continue reading the main story",
    r"(powered|recommended) by (outbrain|taboola|zergnet|revcontent)",
    r"ad will collapse in seconds.*", r"\w+ thanks (to )?our sponsors",
)
AD_OFFER = re.compile(
    r"\b(?:subscribe|subscription|join|sign up|try|start your|save)\b[^.]{0,60}?(?:[$£€]\s?\d|\d+\s?% off)"
    r"|[$£€]\s?\d+(?:\.\d\d)?\s?(?:/\s?|a |an |per )(?:week|wk|month|mo|year|yr|issue)\b"
    r"|\b(?:as low as|now only|only|just) [$£€]\s?\d|\bunlimited (?:digital )?access\b|\d+\s?% off\b"
    r"|\bfree trial\b|\bbuy now\b|\bshop now\b|\blimited[- ]time offer\b|\bspecial offer\b",
    re.I)
DONATION_BUTTON = _pattern(
    r"donate( now| today| here)?", r"make a (donation|gift)", r"give( now| today)?", r"chip in",
    r"support us( today)?", r"become a (member|supporter|patron|donor)",
    r"support (?!(center|centre|forum|groups?|services?|desk|team|page|tickets?|community|faq)\b)[\w.&'’]+( today| now)?",
    r"join( us| now)? as a member", r"support (our|independent|local) journalism", r"remind me later",
    r"not ready to (support|donate|give)( today)?",
)
DONATION_APPEAL = re.compile(
    r"^\W*donate\b|\b(?:please|click here to|you can|help us(?: by)?) donate\b"
    r"|\bdonate (?:now|today|online|to (?:us|our|the))\b|\bmake a donation\b|\bchip in\b"
    r"|\bsupport (?:our|independent|quality|local|public|nonprofit|non-profit) "
    r"(?:journalism|journalists|reporting|news|newsroom|radio|media|press|fact-checking)"
    r"|\bbecome a (?:member|supporter|patron|sustaining member|donor)\b"
    r"|\b(?:member|listener|viewer|reader)[- ]supported\b"
    r"|\bfunded by (?:members|readers|listeners|viewers|donations|member donations)\b"
    r"|\byour (?:tax-deductible )?(?:gift|donation|contribution)\b",
    re.I)
TEASER_PREFIX = re.compile(
    r"^\W*(?:related( stories| articles| coverage| content| link)?|read more|read next|see also|also read"
    r"|also see|more|more on this|recommended|up next|watch|listen|read|editor'?s pick|don't miss)"
    r"\s*[:|»>\-–—]\s*\w",
    re.I)
TEASER_HEADING = _pattern(
    r"related", r"related (stories|articles|news|content|coverage|links|posts|videos?|items)",
    r"more (news|stories|headlines|top stories|from .{2,30}|on this( story)?|in .{2,30})",
    r"(most|more most) (read|popular|viewed|emailed|e-mailed|shared|commented|watched|recent)( (stories|articles|news|now|today|this week|on .{2,30}))?",
    r"popular( (stories|now|today|on .{2,30}))?", r"trending( (now|stories|on .{2,30}))?",
    r"recommended( (for you|stories|reading|articles))?", r"top (stories|headlines|news)",
    r"latest( (news|stories|headlines|articles|videos?))?", r"also (read|see|in the news|on .{2,30})",
    r"you (may|might) (also )?(like|be interested in)", r"read (next|more)", r"up next",
    r"what to read next", r"editor'?s picks?", r"in other news", r"don't miss", r"elsewhere on .{2,30}",
    r"other (stories|news|headlines)", r"recent (stories|posts|articles|news)",
    r"(today's|the day's) (top )?(stories|headlines)", r"headlines", r"read more from .{2,30}",
    r"what's (popular|trending|hot|new)( now)?( on .{2,30})?",
)
SPONSORED_MARK = re.compile(r"(?:^\W*sponsored\b|sponsored\W*$)", re.I)
RIGHTS_START = re.compile(r"^\W*(?:©|\(c\)\s*\d{4}|copyright\b)", re.I)
COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.I)

NAV_WORDS = frozenset("""
    account advertise advertising alerts apps archive archives blog blogs careers
    classifieds contact cookies copyright corrections edition editions email e-mail faq faqs
    correction corrections feedback feeds follow forum forums help home homepage jobs log login
    logout newsletter newsletters password policy print privacy profile register reprint reprints
    rss search settings share sign sitemap subscribe subscribed subscriber subscribers subscribing
    subscription subscriptions terms topics
""".split())
"""A linked line with one of these words is a menu item, not a headline."""
NOT_HEADLINE = re.compile(
    r"\w\W*[|•·»«]\W*\w"
    r"|^\W*(?:more|view|see all|click|discuss|browse|visit|explore|find|read all|get|our|your|join|try"
    r"|download|sign|enter|play|win|check out|discover|learn|become|skip|send|submit|upload|e-?mail"
    r"|jump|translate|invite|back to|digg)\b"
    r"|^\W*(?:topics|tags|filed under|categories)\s*:"
    r"|\b(?:designed|developed|hosted|powered) by\b"
    r"|\bclick here\b|\bcomments?\b|\bletters? to the editor\b|\bevery (?:day|weekday|week|morning)\b|\bkeyboard shortcuts\b",
    re.I)
"""Link lists of sections, and calls to action or site promotions, not stories."""

# -- hint tokens (see Block.hints) -------------------------------------------

NAV_HINTS = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "submenu", "dropdown", "breadcrumb",
    "breadcrumbs", "sitemap",
})
CHROME_HINTS = NAV_HINTS | frozenset({
    "footer", "sitefooter", "masthead", "toolbar", "topbar", "utility", "utilities", "share",
    "sharing", "sharetools", "social", "socialmedia", "comment", "comments", "login", "signin",
    "search", "searchbox", "pagination", "pager", "tags", "tag", "keywords",
})
TEASER_HINTS = frozenset({
    "related", "relatedstories", "relatedarticles", "relatedlinks", "relatedcontent",
    "relatednews", "recirc", "recirculation", "mostpopular", "mostread", "mostviewed",
    "mostemailed", "mostshared", "mostcommented", "popular", "trending", "morestories",
    "morenews", "moreheadlines", "recommended", "recommendations", "topstories", "headlines",
    "latestnews", "onward", "teaser", "teasers", "storylist", "whatsnext", "readnext", "upnext",
})


# -- features ----------------------------------------------------------------

def words(text: str) -> list[str]:
    return _WORD.findall(text)


def in_menu(block: Block) -> bool:
    return block.tag == "option" or has_hint(block, NAV_HINTS)


def is_link(block: Block) -> bool:
    return block.link_density >= LINKED


def has_hint(block: Block, names: frozenset[str]) -> bool:
    return not names.isdisjoint(block.hints)


def looks_like_headline(text: str) -> bool:
    """4-24 words, no menu vocabulary or separators, no final colon or full
    stop (a linked sentence ending in "." is as often a call to action)."""
    tokens = words(text)
    stripped = text.rstrip()
    if not HEADLINE_WORDS[0] <= len(tokens) <= HEADLINE_WORDS[1]:
        return False
    if stripped.endswith(":") or (stripped.endswith(".") and not stripped.endswith("..")):
        return False
    if any(token.lower() in NAV_WORDS for token in tokens) or NOT_HEADLINE.search(text):
        return False
    return sum(len(t) >= 4 for t in tokens) >= 2


def is_snippet(text: str) -> bool:
    """A teaser's cut-off summary: several words ending in an ellipsis."""
    return len(words(text)) >= 5 and text.rstrip().endswith(("…", "..."))


# -- rules -------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    fires: Callable[[Block], bool]


# "Advertisement", "Sponsored links", "Ads by Google", "Continue reading the main story"
AD_SLOT = Rule("ad_label", AD, lambda b: bool(AD_LABEL.match(b.text)))
# "© 2008 …", "Copyright 2008 by UPI": a line that starts as a rights notice
RIGHTS_LINE = Rule("copyright_line", BOILERPLATE,
                   lambda b: bool(RIGHTS_START.match(b.text)) and len(words(b.text)) <= 20)

RULES: tuple[Rule, ...] = (
    AD_SLOT,
    # a short item starting or ending in "Sponsored", as recommendation widgets mark paid links
    Rule("ad_sponsored_mark", AD,
         lambda b: bool(SPONSORED_MARK.search(b.text)) and len(words(b.text)) <= 20),
    # "Donate", "Support us", "Become a member", "Remind me later": appeal buttons and links
    Rule("donation_button", DONATION, lambda b: bool(DONATION_BUTTON.match(b.text))),
    # text asking readers to donate, become members or support the journalism
    Rule("donation_text", DONATION,
         lambda b: bool(DONATION_APPEAL.search(b.text)) and len(words(b.text)) <= 120),
    # offers with a price or discount: "Subscribe for $1 a week", "50% off", "Unlimited access"
    Rule("ad_offer", AD, lambda b: bool(AD_OFFER.search(b.text)) and len(words(b.text)) <= 60),
    # copyright and rights lines
    Rule("copyright", BOILERPLATE,
         lambda b: bool(COPYRIGHT.search(b.text)) and len(words(b.text)) <= 80),
    # "Related stories", "Most read", "Trending", "More news": headings of teaser lists,
    # unless they are links in a menu
    Rule("teaser_list_heading", TEASER,
         lambda b: bool(TEASER_HEADING.match(b.text)) and not in_menu(b)
         and (not is_link(b) or b.tag in HEADING_TAGS)),
    # headlines and cut-off snippets in related / most-read / trending / recirculation boxes
    Rule("teaser_container", TEASER,
         lambda b: has_hint(b, TEASER_HINTS) and not in_menu(b)
         and (looks_like_headline(b.text) or is_snippet(b.text))),
    # anything in navigation, menus, footers, share/social, comment, search or tag boxes
    Rule("page_chrome", BOILERPLATE, lambda b: has_hint(b, CHROME_HINTS)),
    # "Related: …", "Read more: …", "Watch: …" before another story's headline
    Rule("teaser_prefix", TEASER,
         lambda b: bool(TEASER_PREFIX.match(b.text)) and len(words(b.text)) >= 4),
    # a line that is all link and reads like a headline: another story's title
    Rule("linked_headline", TEASER,
         lambda b: is_link(b) and not in_menu(b) and looks_like_headline(b.text)
         and len(words(b.text)) >= LINKED_HEADLINE_MIN_WORDS),
)

BETWEEN_TEASERS = "between_teasers"
"""The one rule that reads neighbours: an unclaimed line (rule "default")
between two teasers is part of a teaser card - its snippet, time, rank or
byline - if it has 3 to SNIPPET_MAX_WORDS words or a digit. (A lone word there
is as often a menu or player button.)"""
SNIPPET_MAX_WORDS = 40


def overriding_label(block: Block) -> tuple[str, str] | None:
    """(label, rule) for the few lines whose label holds even against a corpus's
    own annotation: ad-slot labels ("Advertisement", "Continue reading the main
    story") and rights lines ("Copyright 2008 by UPI"), which annotators
    sometimes swept in with the article around them."""
    for rule in (AD_SLOT, RIGHTS_LINE):
        if rule.fires(block):
            return rule.label, rule.name
    return None


def weak_label(block: Block) -> tuple[str, str]:
    """(label, rule name) of the first rule that fires, else ("boilerplate", "default")."""
    for rule in RULES:
        if rule.fires(block):
            return rule.label, rule.name
    return BOILERPLATE, DEFAULT_RULE


def label_blocks(blocks: Sequence[Block], known: Sequence[tuple[str, str] | None]) -> list[tuple[str, str]]:
    """(label, rule) for every block of a page: the corpus's own where `known`
    has one, the weak rules elsewhere, then the between-teasers rule."""
    labels = [given or weak_label(block) for block, given in zip(blocks, known)]
    result = list(labels)
    for i in range(1, len(blocks) - 1):
        if (labels[i][1] == DEFAULT_RULE and labels[i - 1][0] == labels[i + 1][0] == TEASER
                and _card_line(blocks[i].text)):
            result[i] = (TEASER, BETWEEN_TEASERS)
    return result


def _card_line(text: str) -> bool:
    count = len(words(text))
    return count <= SNIPPET_MAX_WORDS and (count >= 3 or any(c.isdigit() for c in text))
