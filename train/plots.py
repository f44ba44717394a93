"""The report's pictures: confusion matrix and reliability diagram, as PNG."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from train.metrics import reliability_bins  # noqa: E402
from winnow.labels import LABELS  # noqa: E402


def confusion_matrix_plot(matrix: np.ndarray, path: Path, title: str) -> None:
    """Counts, shaded by the share of each gold label (row) they hold."""
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), dpi=110)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, f"{count}\n{shares[row, col]:.0%}", ha="center", va="center", fontsize=8,
                color="white" if shares[row, col] > 0.6 else "black")
    ax.set_xticks(range(len(LABELS)), [label.replace("_", "\n") for label in LABELS], fontsize=8)
    ax.set_yticks(range(len(LABELS)), LABELS, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def reliability_plot(confidence: np.ndarray, correct: np.ndarray, path: Path, title: str) -> float:
    """Accuracy against confidence; returns the expected calibration error."""
    edges, mean_confidence, accuracy, counts, ece = reliability_bins(confidence, correct)
    centres = (edges[:-1] + edges[1:]) / 2
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.2, 5.6), dpi=110, sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    shown = counts > 0
    top.plot(mean_confidence[shown], accuracy[shown], marker="o", label="winnow")
    top.set_ylabel("accuracy")
    top.set_title(f"{title} (ECE {ece:.3f})", fontsize=10)
    top.legend(loc="upper left", fontsize=8)
    bottom.bar(centres, counts, width=edges[1] - edges[0], color="#9ab", edgecolor="white")
    bottom.set_xlabel("confidence of the predicted label")
    bottom.set_ylabel("paragraphs")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return ece
