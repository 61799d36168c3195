"""Handwritten digits as notebook 10 shows them (bpderive.display.digits): the images in a
labelled grid, the confusion matrix counted and drawn, every word in the language in use and the
Chinese drawn with every glyph, and bad input refused with a message that says what to give."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from test_display_starts import drawn

from bpderive import set_language
from bpderive.display.digits import confusion_matrix, plot_confusion, plot_digits


@pytest.fixture
def images() -> np.ndarray:
    """Six 8 × 8 images as rows of 64 grey levels 0 … 16, as load_digits gives them."""
    return np.random.default_rng(0).integers(0, 17, size=(6, 64)).astype(float)


LABELS = [0, 1, 2, 3, 4, 5]
ANSWERS = [0, 7, 2, 3, 9, 5]


def _panels(fig) -> list:
    return [ax for ax in fig.axes if ax.images]


def test_the_grid_shows_each_digit_with_its_label(images) -> None:
    fig = plot_digits(images, LABELS, columns=4)
    panels = _panels(fig)
    assert [ax.get_title() for ax in panels] == ["0", "1", "2", "3", "4", "5"]
    assert len(fig.axes) == 8  # two rows of four, the last two left empty
    for ax, image in zip(panels, images, strict=True):
        shown = ax.images[0]
        assert np.array_equal(shown.get_array(), image.reshape(8, 8))
        assert shown.get_clim() == (images.min(), images.max())  # one grey scale for all
        assert shown.get_cmap().name == "gray_r"  # dark ink on white
    assert fig.get_suptitle() == "6 digits of 8 × 8 pixels, each with its label"
    plt.close(fig)


def test_the_mistakes_read_label_then_answer_in_either_language(images, caplog) -> None:
    fig = plot_digits(images.reshape(6, 8, 8), LABELS, ANSWERS)
    assert [ax.get_title() for ax in _panels(fig)] == [
        f"{a} → {b}" for a, b in zip(LABELS, ANSWERS, strict=True)
    ]
    assert fig.get_suptitle() == "6 digits the network got wrong: label → the network's answer"
    plt.close(fig)
    set_language("zh")
    fig = plot_digits(images, LABELS, ANSWERS)
    assert fig.get_suptitle() == "网络判错的 6 个数字：标签 → 网络的判断"
    assert drawn(fig, caplog) == []
    plt.close(fig)
    fig = plot_digits(images, LABELS, title="前六个数字")
    assert fig.get_suptitle() == "前六个数字"
    assert drawn(fig, caplog) == []
    plt.close(fig)


def test_the_confusion_matrix_counts_label_against_answer() -> None:
    counts = confusion_matrix(LABELS, ANSWERS)
    assert counts.shape == (10, 10) and counts.sum() == 6
    assert np.trace(counts) == 4
    assert counts[1, 7] == 1 and counts[4, 9] == 1  # the two mistakes, row = label
    assert confusion_matrix([0, 0, 1], [1, 1, 1], classes=2).tolist() == [[0, 2], [0, 1]]


def test_the_confusion_matrix_is_drawn_with_its_counts_in_either_language(caplog) -> None:
    ax = plot_confusion(LABELS, ANSWERS)
    assert sorted(t.get_text() for t in ax.texts) == ["1"] * 6  # one count per non-empty cell
    assert ax.get_title() == "Confusion matrix: 2 of 6 samples wrong"
    assert ax.get_xlabel() == "the network's answer (largest output)"
    assert ax.get_ylabel() == "label (the true digit)"
    wrong = {(t.get_position(), t.get_color()) for t in ax.texts}
    assert ((7, 1), "darkred") in wrong and ((0, 0), "white") in wrong  # a mistake in red
    plt.close(ax.figure)
    set_language("zh")
    ax = plot_confusion(LABELS, ANSWERS)
    assert ax.get_title() == "混淆矩阵：6 个样本中判错 2 个"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("网络的判断（最大的输出）", "标签（真实的数字）")
    assert drawn(ax.figure, caplog) == []
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda im: plot_digits(im[:, :63], LABELS), r"images: .*\(N, 64\) for 8 × 8.*\(6, 63\)"),
        (lambda im: plot_digits(im, LABELS[:5]), r"labels: expected 6 class numbers.*got 5"),
        (lambda im: plot_digits(im, np.eye(10)[LABELS]), r"one-hot targets: take T\.argmax"),
        (lambda im: plot_digits(im, [0, 1, 2, 3, 4, 10]), r"labels: .*0 to 9, got 10"),
        (lambda im: plot_digits(im, LABELS, [0.5] * 6), r"answers: .*whole class numbers.*0\.5"),
        (lambda im: plot_digits(im, LABELS, columns=0), r"columns: expected an int >= 1"),
        (lambda im: plot_digits(im[:0], []), r"images: expected one row"),
        (lambda im: plot_digits("digits", LABELS), r"images: expected numbers"),
        (lambda im: confusion_matrix(LABELS, ANSWERS[:4]), r"answers: expected 6 class numbers"),
        (lambda im: confusion_matrix([0, 1], [0, 2], classes=2), r"answers: .*0 to 1, got 2"),
        (lambda im: confusion_matrix([0, 1], [0, 1], classes=1), r"classes: expected an int >= 2"),
        (lambda im: plot_confusion(LABELS, ANSWERS, ax="axes"), r"ax: expected None or a matp"),
    ],
)
def test_bad_input_is_refused_with_what_to_give(images, call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call(images)
    plt.close("all")
