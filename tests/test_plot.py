"""Plot helpers: PNG files are produced, non-trivial, and written atomically."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread

from flambeau import plot
from flambeau.files import save_figure
from flambeau.training import History


def _history():
    h = History()
    for e in range(5):
        h.append(train_loss=1 / (e + 1), val_loss=1.2 / (e + 1), val_accuracy=0.5 + 0.1 * e,
                 lr=0.1, epoch_time=0.01)
    return h


def _assert_real_png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.05  # not a blank canvas


def test_history_plot_is_written(tmp_path):
    path = tmp_path / "curves" / "loss.png"
    fig = plot.plot_history(_history(), path, title="MLP")
    _assert_real_png(path)
    assert len(fig.axes) == 2  # losses, then metrics
    assert [line.get_label() for line in fig.axes[0].lines] == ["train_loss", "val_loss"]
    assert [p.name for p in path.parent.iterdir()] == ["loss.png"]


def test_history_without_metrics_has_one_panel(tmp_path):
    h = History()
    h.append(train_loss=1.0)
    h.append(train_loss=0.5)
    assert len(plot.plot_history(h).axes) == 1


def test_confusion_matrix_plot(tmp_path):
    path = tmp_path / "cm.png"
    matrix = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    fig = plot.plot_confusion_matrix(matrix, path, labels=["a", "b", "c"], normalize=True)
    _assert_real_png(path)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[0] == "0.83" and len(texts) == 9


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "loss.png"
    plot.plot_history(_history(), path)
    before = path.read_bytes()
    fig = plot.plot_history(_history())

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_errors():
    with pytest.raises(ValueError, match="plot_history: no loss recorded"):
        plot.plot_history({"lr": [0.1]})
    with pytest.raises(ValueError) as info:
        plot.plot_confusion_matrix(np.ones((2, 3)))
    assert str(info.value) == "plot_confusion_matrix: matrix must have shape (K, K), got (2, 3)"
    with pytest.raises(ValueError, match="plot_confusion_matrix: 2 classes but 3 labels"):
        plot.plot_confusion_matrix(np.ones((2, 2)), labels="abc")
