"""otdiv.gan.plots: panels that compare values share one scale, axes say what they hold."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
pytest.importorskip("jax")

from otdiv.gan import plots

pytestmark = pytest.mark.gan


@pytest.fixture
def drawn(monkeypatch):
    """The figures the plot functions make, kept open instead of saved and closed."""
    figures = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: figures.append(figure) or path)
    yield figures
    import matplotlib.pyplot as plt
    for figure in figures:
        plt.close(figure)


def test_critic_panels_share_one_colour_scale(drawn, tmp_path):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(40, 2)), rng.normal(1.0, 1.0, size=(40, 2))
    plots.plot_critic_landscape(lambda z: 10.0 * z[:, 0], real, fake, tmp_path / "c.png",
                                potential=lambda z: z[:, 1], resolution=30)
    (figure,) = drawn
    panels = [axis for axis in figure.axes
              if axis.collections and axis.get_label() != "<colorbar>"]
    assert len(panels) == 2
    limits = {tuple(np.round(axis.collections[0].get_clim(), 12)) for axis in panels}
    assert len(limits) == 1                          # the same colours mean the same values
    low, high = limits.pop()
    assert low == -high and high > 10.0              # wide enough for the larger critic
    assert sum(axis.get_label() == "<colorbar>" for axis in figure.axes) == 1


def test_critic_curves_share_one_vertical_range_in_one_dimension(drawn, tmp_path):
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(30, 1)), rng.normal(2.0, 1.0, size=(30, 1))
    plots.plot_critic_landscape(lambda z: 5.0 * z[:, 0], real, fake, tmp_path / "c.png",
                                potential=lambda z: z[:, 0])
    left, right = drawn[0].axes
    assert left.get_ylim() == right.get_ylim()


def test_history_axis_is_an_estimate_and_samples_have_axis_labels(drawn, tmp_path):
    history = {"step": [0, 1, 2], "exact_w1": [1.0, 0.5, 0.2],
               "energy_distance": [0.8, 0.4, 0.1], "critic_estimate": [0.1, -0.2, 0.1]}
    plots.plot_history(history, tmp_path / "h.png")
    assert "estimate" in drawn[0].axes[0].get_ylabel()
    assert "distance" not in drawn[0].axes[0].get_ylabel()
    rng = np.random.default_rng(2)
    plots.plot_samples(rng.normal(size=(20, 2)), rng.normal(size=(20, 2)), tmp_path / "s.png")
    plots.plot_samples(rng.normal(size=(20, 1)), rng.normal(size=(20, 1)), tmp_path / "t.png")
    for figure in drawn[1:]:
        assert figure.axes[0].get_xlabel() and figure.axes[0].get_ylabel()
