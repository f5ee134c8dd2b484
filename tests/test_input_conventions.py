"""Inputs that NumPy would silently reinterpret are refused with a message (issue 13, item 9).

* ``numpy.ma.MaskedArray``: ``np.asarray`` drops the mask, so masked entries would count as
  data (``wasserstein_1d(np.ma.array([0, 1, 100], mask=[0, 0, 1]), [0, 1])`` was 33.17).
  otdiv refuses masked input (a TypeError that says to pass ``.compressed()``).
* ``datetime64`` / ``timedelta64``: their raw integer counts depend on the unit, so the same
  durations in seconds and in milliseconds gave answers 1000 times apart. Refused, arrays
  and scalars alike (timedelta64 is a NumPy integer type, so it passed ``check_int``).
"""

import numpy as np
import pytest

import otdiv
from otdiv.bias import bernoulli_expected_gradient, bernoulli_sgd

MASKED = np.ma.array([0.0, 1.0, 100.0], mask=[0, 0, 1])


def test_the_campaigns_masked_example_is_refused_not_33():
    with pytest.raises(TypeError, match=r"u_values must be a plain array.*MaskedArray.*"
                                        r"u_values\.compressed\(\)"):
        otdiv.wasserstein_1d(MASKED, [0.0, 1.0])
    assert otdiv.wasserstein_1d(MASKED.compressed(), [0.0, 1.0]) == 0.0


@pytest.mark.parametrize("call, name", [
    (lambda: otdiv.wasserstein_1d([0.0, 1.0], [0.0, 1.0], MASKED[:2]), "u_weights"),
    (lambda: otdiv.energy_distance([0.0, 1.0], MASKED), "v_values"),
    (lambda: otdiv.f_divergence(np.ma.array([0.5, 0.5], mask=[0, 1]), [0.5, 0.5]), "p"),
    (lambda: otdiv.solve_assignment(np.ma.array(np.eye(2), mask=np.eye(2))), "cost"),
    (lambda: bernoulli_expected_gradient(0.6, np.ma.array([0.2, 0.3], mask=[1, 0]), 3), "theta"),
    (lambda: otdiv.wasserstein_1d([MASKED, MASKED], [0.0]), "u_values"),
])
def test_masked_arrays_are_refused_everywhere(call, name):
    with pytest.raises(TypeError, match=f"{name} must be a plain array"):
        call()


def test_a_masked_array_without_masked_entries_is_refused_too():
    # One rule, whatever the mask: the caller converts explicitly.
    with pytest.raises(TypeError, match="MaskedArray"):
        otdiv.wasserstein_1d(np.ma.array([0.0, 1.0]), [0.0, 1.0])


@pytest.mark.parametrize("values, kind", [
    (np.array([1, 2, 3], dtype="timedelta64[s]"), "timedelta64"),
    (np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), "datetime64"),
])
def test_time_arrays_are_refused_with_the_unit_named(values, kind):
    with pytest.raises(TypeError, match=f"u_values must be real numbers, got {kind}.*unit"):
        otdiv.wasserstein_1d(values, [0.0, 1.0])
    with pytest.raises(TypeError, match=f"p must be real numbers, got {kind}"):
        otdiv.f_divergence(values, np.ones(values.size))


def test_time_scalars_are_refused_for_counts_and_reals():
    with pytest.raises(TypeError, match="steps must be real numbers, got timedelta64"):
        bernoulli_sgd(0.6, 2, steps=np.timedelta64(5, "s"))
    with pytest.raises(TypeError, match="m must be real numbers, got timedelta64"):
        bernoulli_expected_gradient(0.6, 0.3, np.timedelta64(3, "ms"))
    with pytest.raises(TypeError, match="learning_rate must be real numbers, got timedelta64"):
        bernoulli_sgd(0.6, 2, learning_rate=np.timedelta64(1, "s"))
    with pytest.raises(TypeError, match="mu1 must be real numbers, got datetime64"):
        otdiv.gaussian_f_divergence(np.datetime64("2020-01-01"), 1.0, 0.0, 1.0)


def test_durations_converted_to_a_unit_are_accepted():
    seconds = np.array([1, 2, 3], dtype="timedelta64[s]") / np.timedelta64(1, "s")
    assert otdiv.wasserstein_1d(seconds, [2.0]) == pytest.approx(2 / 3)
