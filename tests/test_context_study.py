"""The model-selection study: it scores every way of using context on dev files, and never reads the test split."""
import json

import pytest

from train import context_study
from winnow import config
from winnow.labels import LABELS

SAMPLE = str(config.FIXTURES_DIR / "sample.jsonl")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 24 pages, 100 passes
def test_the_study_scores_each_variant_on_all_natural_and_augmented_dev_pages(tmp_path):
    assert context_study.main(["--data", SAMPLE, "--dev", SAMPLE, "--out", str(tmp_path)]) == 0
    [(dev, variants)] = json.loads((tmp_path / "results.json").read_text())["results"].items()
    assert dev == "tests/fixtures/sample.jsonl"
    assert {"stage1", "stage2", "stage2+viterbi/p", "predict"} <= set(variants)
    for scores in variants.values():
        assert set(scores) == {"all", "natural", "augmented"}
        assert set(scores["all"]["labels"]) == set(LABELS)
    assert "| predict |" in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize("flag", ["--data", "--dev"])
def test_the_study_refuses_the_test_split(tmp_path, flag):
    with pytest.raises(SystemExit) as refused:
        context_study.main([flag, str(config.DATA_DIR / "test.jsonl.gz"), "--out", str(tmp_path)])
    assert refused.value.code == 2
    assert not any(tmp_path.iterdir())
