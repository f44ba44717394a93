"""Where a result came from, for the cards and reports the offline commands write: the command line,
the code's commit, paths as seen from the project, and a timestamped progress log."""
from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from winnow import config

CODE = ("winnow", "train", "serve", "requirements.txt")
"""What the code version covers."""


def command_line(program: str, argv: Sequence[str] | None) -> str:
    """How the command was run, to be quoted in its report: `program` and its arguments
    (`sys.argv`'s when `argv` is None, as when run from a shell)."""
    return " ".join([program, shlex.join(sys.argv[1:] if argv is None else argv)]).strip()


def relative_path(path: str) -> str:
    """A path as seen from the project root when it is inside the project, else the absolute path."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(config.PROJECT_ROOT) if resolved.is_relative_to(config.PROJECT_ROOT) else resolved)


def git_revision() -> str:
    """The commit the code was at, with "+dirty" when the code had uncommitted changes
    (the model being written, data and reports do not count: the card records the data apart)."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=config.PROJECT_ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *CODE],
                               capture_output=True, text=True, cwd=config.PROJECT_ROOT).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
