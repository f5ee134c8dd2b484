"""otdiv.plotting: the optimal-plan figure is labelled; save_figure is the one way to save."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from otdiv import transport
from otdiv.plotting import plot_plan, save_figure


@pytest.fixture
def plan_figure():
    u = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.5]])
    v = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.5]])
    result = transport(u, v)
    return plot_plan(u, v, result.plan, labels=("P", "Q"),
                     title=f"optimal plan: W_1 = {result.cost:.4g}")


def test_plan_figure_has_axis_labels_title_and_a_legend_for_every_mark(plan_figure):
    ax = plan_figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert "W_1 = 1" in ax.get_title()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "plan (each segment moves 1/3 of the mass)", "P", "Q"]  # a matching: equal widths


def test_plan_legend_says_width_is_mass_only_when_masses_differ():
    u, v = np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 1.0]])
    figure = plot_plan(u, v, np.array([[0.5, 0.25], [0.0, 0.25]]))
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend[0] == "plan (width ~ mass moved)"


def test_one_dimensional_plan_labels_the_two_lines():
    figure = plot_plan([0.0, 1.0], [0.5, 2.0], np.eye(2) / 2, labels=("u", "v"))
    ax = figure.axes[0]
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["u", "v"]
    assert ax.get_xlabel() == "value"


def test_save_figure_writes_the_file_and_returns_its_path(plan_figure, tmp_path):
    path = save_figure(plan_figure, tmp_path / "plan.png")
    assert path == tmp_path / "plan.png" and path.stat().st_size > 1000


@pytest.mark.parametrize("target, error, message", [
    ("plan.jpeg", ValueError, "must end in one of"),
    ("missing/plan.png", ValueError, "does not exist"),
])
def test_save_figure_refuses_bad_paths(tmp_path, target, error, message):
    with pytest.raises(error, match=message):
        save_figure(Figure(), tmp_path / target)


def test_save_figure_refuses_what_is_not_a_figure(tmp_path):
    with pytest.raises(TypeError, match="matplotlib Figure"):
        save_figure("figure", tmp_path / "x.png")
    with pytest.raises(ValueError, match="dpi"):
        save_figure(Figure(), tmp_path / "x.png", dpi=0)


def test_plot_plan_refuses_bad_labels():
    with pytest.raises(TypeError, match="axis_labels"):
        plot_plan([0.0], [1.0], [[1.0]], axis_labels="x")
