"""The README's Python example runs as written, from any directory."""
import ast
import re
import subprocess
import sys
from pathlib import Path

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
