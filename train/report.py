"""A report written once as blocks, rendered both as Markdown and as HTML.

The evaluation builds a list of blocks (headings, text, tables, images); this
module only renders them, so the two formats always say the same thing.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Text:
    text: str


@dataclass
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    caption: str = ""


@dataclass
class Image:
    path: str  # relative to the report
    alt: str


@dataclass
class Report:
    title: str
    blocks: list[Union[Heading, Text, Table, Image]] = field(default_factory=list)

    def add(self, *blocks: Union[Heading, Text, Table, Image]) -> None:
        self.blocks.extend(blocks)

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        markdown, page = directory / "report.md", directory / "report.html"
        markdown.write_text(self.to_markdown(), encoding="utf-8")
        page.write_text(self.to_html(), encoding="utf-8")
        return markdown, page

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for block in self.blocks:
            if isinstance(block, Heading):
                out += ["#" * block.level + " " + block.text, ""]
            elif isinstance(block, Text):
                out += [block.text, ""]
            elif isinstance(block, Table):
                if block.caption:
                    out += [f"*{block.caption}*", ""]
                out.append("| " + " | ".join(block.header) + " |")
                out.append("|" + "|".join("---" for _ in block.header) + "|")
                out += ["| " + " | ".join(_cell_md(c) for c in row) + " |" for row in block.rows]
                out.append("")
            elif isinstance(block, Image):
                out += [f"![{block.alt}]({block.path})", ""]
        return "\n".join(out)

    def to_html(self) -> str:
        body = []
        for block in self.blocks:
            if isinstance(block, Heading):
                body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
            elif isinstance(block, Text):
                body.append(f"<p>{_inline_html(block.text)}</p>")
            elif isinstance(block, Table):
                caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption else ""
                head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block.header)
                rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(c))}</td>" for c in row) + "</tr>"
                               for row in block.rows)
                body.append(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif isinstance(block, Image):
                body.append(f'<img src="{html.escape(block.path)}" alt="{html.escape(block.alt)}">')
        return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(self.title)}</title>"
                f"<style>{_STYLE}</style><h1>{html.escape(self.title)}</h1>" + "\n".join(body) + "</html>\n")


_STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:0 0 1.2rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}caption{text-align:left;font-style:italic}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}"""


def _inline_html(text: str) -> str:
    """`text` escaped, with the Markdown it uses inline, **strong** and `code`, as HTML."""
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _cell_md(value: object) -> str:
    return _cell(value).replace("|", "\\|").replace("\n", " ")
