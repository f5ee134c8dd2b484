"""The dense-path kernels: the exact distance matrix and the support of a dense plan."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from otdiv._kernels.matrices import euclidean_distance_matrix, positive_support
from otdiv.exact.problem import RawAnswer


@pytest.mark.parametrize("d", [1, 2, 16, 64, 257])
def test_distance_matrix_equals_cdist(d):
    """Summed in cdist's order: equal bit for bit on x86-64; a build of either that fuses
    multiply-adds (e.g. on ARM) may differ in the last units, which the tolerance allows."""
    rng = np.random.default_rng(d)
    x = rng.normal(size=(37, d)) * rng.uniform(0.5, 2.0, size=d)
    y = rng.normal(size=(23, d)) + 0.3
    np.testing.assert_allclose(euclidean_distance_matrix(x, y), cdist(x, y), rtol=1e-14,
                               atol=0)


def test_distance_matrix_keeps_relative_accuracy_where_squares_underflow():
    x = np.array([[0.0, 0.0], [1e-300, 0.0], [3e-170, 4e-170]])
    y = np.array([[0.0, 0.0], [0.0, 1e-170]])
    expected = np.array([[0.0, 1e-170],
                         [1e-300, 1e-170],
                         [5e-170, np.hypot(3e-170, 3e-170)]])
    np.testing.assert_allclose(euclidean_distance_matrix(x, y), expected, rtol=4e-16, atol=0)


def test_distance_matrix_of_empty_sides():
    assert euclidean_distance_matrix(np.zeros((0, 3)), np.ones((4, 3))).shape == (0, 4)
    assert euclidean_distance_matrix(np.ones((2, 3)), np.zeros((0, 3))).shape == (2, 0)


def test_positive_support_lists_the_positive_entries_row_by_row():
    rng = np.random.default_rng(0)
    plan = rng.normal(size=(40, 30))
    plan[plan < 0.5] = 0.0
    plan[3, 4] = -1e-18
    plan[5, 6] = np.nan
    original = plan.copy()
    rows, columns = positive_support(plan, False)
    expected_rows, expected_columns = np.nonzero(original > 0)
    np.testing.assert_array_equal(rows, expected_rows)
    np.testing.assert_array_equal(columns, expected_columns)
    np.testing.assert_array_equal(plan, original)  # untouched without clear_the_rest
    positive_support(plan, True)
    np.testing.assert_array_equal(plan, np.where(original > 0, original, 0.0))


def test_a_dense_answer_writes_into_the_plan_only_when_handed_over():
    plan = np.array([[0.5, -1e-18], [0.0, 0.5]])
    kept = RawAnswer.from_dense_plan(plan, np.zeros(2))
    assert kept.plan_buffer is None and plan[0, 1] == -1e-18
    handed = RawAnswer.from_dense_plan(plan, np.zeros(2), owned=True)
    assert handed.plan_buffer is plan and plan[0, 1] == 0.0
    np.testing.assert_array_equal(handed.rows, [0, 1])
    np.testing.assert_array_equal(handed.flows, [0.5, 0.5])
    transposed = np.ascontiguousarray(plan).T  # not C-contiguous: never used as the buffer
    assert RawAnswer.from_dense_plan(transposed, np.zeros(2), owned=True).plan_buffer is None


def test_a_read_only_dense_plan_is_read_not_written():
    plan = np.array([[0.5, 0.0], [0.0, 0.5]])
    plan.setflags(write=False)
    for owned in (False, True):
        answer = RawAnswer.from_dense_plan(plan, np.zeros(2), owned=owned)
        assert answer.plan_buffer is None
        np.testing.assert_array_equal(answer.rows, [0, 1])
