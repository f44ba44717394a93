"""L3S-GN1 (Kohlschütter et al., WSDM 2010): 621 news pages with assessed text.

Read straight from the corpus tarball. Each block of ``annotated/ID.html``
takes the annotation class that covers most of its characters:

=========  ============================  ===================
class      assessors' meaning            label
=========  ============================  ===================
sel1-sel3  headline, full text, extras   ``article``
sel4       related content               ``headline_teaser``
sel5       user comments                 ``boilerplate``
sel0/none  not content                   the weak rules
=========  ============================  ===================
"""
from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from train.corpora import Paragraph, SourceDocument, registered_domain
from train.html_blocks import UNANNOTATED, Block, decode_html, page_blocks
from train.weak_labels import label_blocks, overriding_label
from winnow.labels import Label

SOURCE = "l3s-gn1"
TARBALL = "l3s-gn1.tar.gz"
ANNOTATION_LABELS = {
    "x-nc-sel1": Label.ARTICLE.value,
    "x-nc-sel2": Label.ARTICLE.value,
    "x-nc-sel3": Label.ARTICLE.value,
    "x-nc-sel4": Label.HEADLINE_TEASER.value,
    "x-nc-sel5": Label.BOILERPLATE.value,
}


def read_documents(tar_path: str | Path) -> Iterator[SourceDocument]:
    """Every annotated page of the tarball, in id order."""
    urls, pages = _read_tar(tar_path)
    for page_id in sorted(pages):
        yield page_document(page_id, pages[page_id], urls.get(page_id, ""))


def page_document(page_id: str, html: bytes, url: str) -> SourceDocument:
    blocks = page_blocks(decode_html(html))
    labels = label_blocks(blocks, [annotated_label(block) for block in blocks])
    paragraphs = tuple(Paragraph(block.text, label, rule) for block, (label, rule) in zip(blocks, labels))
    return SourceDocument(f"l3s-{page_id}", SOURCE, url, registered_domain(url), paragraphs)


def annotated_label(block: Block) -> tuple[str, str] | None:
    """(label, "l3s:selN") from the assessors' annotation, unless an overriding
    label applies; None for not-content (sel0 or unannotated)."""
    override = overriding_label(block)
    if override:
        return override
    annotation = majority_annotation(block)
    if annotation in ANNOTATION_LABELS:
        return ANNOTATION_LABELS[annotation], "l3s:" + annotation.removeprefix("x-nc-")
    return None


def majority_annotation(block: Block) -> str:
    """The annotation class covering most of the block's characters ("" for none)."""
    if not block.annotations:
        return UNANNOTATED
    return max(block.annotations, key=lambda item: item[1])[0]


def _read_tar(tar_path: str | Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """One pass over the tarball: the id -> URL mapping and the annotated pages."""
    urls: dict[str, str] = {}
    pages: dict[str, bytes] = {}
    with tarfile.open(tar_path, "r:*") as tar:
        for member in tar:
            path = PurePosixPath(member.name)
            if not member.isfile():
                continue
            if path.name == "url-mapping.txt":
                urls = _url_mapping(tar.extractfile(member).read().decode("utf-8", "replace"))
            elif path.parent.name == "annotated" and path.suffix == ".html":
                pages[path.stem] = tar.extractfile(member).read()
    return urls, pages


def _url_mapping(text: str) -> dict[str, str]:
    """``<urn:uuid:ID>\\tURL`` lines -> {ID: URL}."""
    mapping = {}
    for line in text.splitlines():
        key, _, url = line.strip().partition("\t")
        if url:
            mapping[key.strip("<>").removeprefix("urn:uuid:")] = url.strip()
    return mapping
