"""Shared fixtures: the model the service tests run on."""
import os
from pathlib import Path

import pytest

from winnow import config


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """$WINNOW_MODEL, or the project's default model; a missing model fails the tests that need it."""
    path = Path(os.environ.get("WINNOW_MODEL") or config.DEFAULT_MODEL_DIR)
    if not (path / "card.json").is_file():
        pytest.fail(f"no model in {path}: train one with `make model` or point WINNOW_MODEL at one")
    return path
