"""Train/dev/test by site, so that no site's page template is in two splits.

A site goes to a split by a salted hash of its name: deterministic, the same
on every machine, and independent of which other documents exist. The shares
are ~70/15/15 of sites, which is about the same by documents because most
sites have one to five pages.

The nine Big9 publishers have ~40 pages each (four eras of their templates,
plus a few Chaos pages), so each one moves a split by ~3%. With SALT below they
fall six to train (bbc, cnn, forbes, nymag, nypost, yahoo), two to dev
(foxnews, latimes) and one to test (arstechnica): dev and test see big-site
templates the model never trained on. build_data prints where the large sites
went; whoever changes SALT should check that line again.
"""
from __future__ import annotations

import hashlib

SALT = "winnow"
SPLITS = ("train", "dev", "test")
SHARES = (70, 15, 15)
"""Percent of sites per split, in SPLITS order."""

SITE_GROUPS = {
    "bbc.co.uk": "bbc.com",
    "guardian.co.uk": "theguardian.com",
    "vulture.com": "nymag.com",
    "grubstreet.com": "nymag.com",
    "foxbusiness.com": "foxnews.com",
}
"""Registered domains of one publisher (and one family of templates), split as one site."""


def _bucket(key: str, buckets: int, salt: str = SALT) -> int:
    return int(hashlib.sha256(f"{salt}:{SITE_GROUPS.get(key, key)}".encode("utf-8")).hexdigest(), 16) % buckets


def fold_of(site: str, folds: int) -> int:
    """The cross-validation fold of `site` within its split (independent of the split itself)."""
    return _bucket(site, folds, salt=SALT + ":fold")


def split_of(site: str) -> str:
    """The split every document of `site` belongs to."""
    bucket = _bucket(site, 100)
    threshold = 0
    for split, share in zip(SPLITS, SHARES):
        threshold += share
        if bucket < threshold:
            return split
    return SPLITS[-1]
