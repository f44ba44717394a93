"""The README's examples run as written and show what they give, and it names every error code."""
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from serve.errors import CODE_BY_STATUS, STATUS_BY_CODE
from serve.openapi import SPEC
from winnow.labels import LABELS

README = Path(__file__).parent.parent / "README.md"


def test_the_python_example_labels_every_paragraph_of_its_three_pages(tmp_path):
    [example] = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    run = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env={"PYTHONPATH": str(README.parent)})
    assert run.returncode == 0, run.stderr
    printed = [line.split(" ", 1) for line in run.stdout.splitlines()]
    assert [doc_id for doc_id, _ in printed] == ["a", "b", "c"]
    for _, paragraphs in printed:
        paragraphs = ast.literal_eval(paragraphs)
        assert len(paragraphs) == 2
        assert all(label in LABELS and isinstance(uncertain, bool) for label, uncertain in paragraphs)


def test_the_result_example_is_what_segment_gives_for_its_page():
    [shown] = re.findall(r"### The result\n.*?```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    shown = json.loads(shown)
    page = "\n".join(paragraph["text"] for paragraph in shown["paragraphs"]) + "\n"
    run = subprocess.run([sys.executable, "-m", "winnow", "segment"], input=page, cwd=README.parent,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["model"]["version"] == shown["model"]["version"]
    for paragraph in result["paragraphs"] + shown["paragraphs"]:
        paragraph["confidence"] = round(paragraph["confidence"], 2)  # the same to two places
    assert result == shown


def test_every_model_version_the_readme_shows_is_the_shipped_models():
    card = json.loads((README.parent / "models" / "default" / "card.json").read_text())
    shown = re.findall(r'"version":\s*"([^"]+)"', README.read_text(encoding="utf-8"))
    assert shown and set(shown) == {card["version"]}


def error_codes() -> set[str]:
    """Every problem code the service can answer with: the status tables, and each code raised in the code."""
    raised = re.compile(r'(?:InvalidInput|Problem)\((?:\d+, )?("[a-z0-9_]+"(?: if [^,]+ else "[a-z0-9_]+")?)')
    sources = [path.read_text(encoding="utf-8") for folder in ("winnow", "serve")
               for path in (README.parent / folder).glob("*.py")]
    found = {code for source in sources for group in raised.findall(source) for code in re.findall(r'"(\w+)"', group)}
    return found | set(STATUS_BY_CODE) | set(CODE_BY_STATUS.values())


def test_every_error_code_is_in_the_readme_and_in_the_openapi_description():
    codes = error_codes()
    assert {"invalid_utf8", "ambiguous_content", "invalid_chunked_body", "unknown_parameter"} <= codes
    readme, spec = README.read_text(encoding="utf-8"), json.dumps(SPEC)
    assert not {code for code in codes if f"`{code}`" not in readme}
    assert not {code for code in codes if f"`{code}`" not in spec}
