"""The 1-D sort core: radix sort and stable radix argsort against np.sort / np.argsort."""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from otdiv._kernels import sort as kernels
from otdiv.exact import _sorting

EXTREMES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308,
            1e-300, -1e-300, 1.7976931348623157e308, -1.7976931348623157e308, 1.0, -1.0,
            np.inf, -np.inf]


def reference_order(values):
    """Stable order by value, ``-0.0`` before ``+0.0`` (the order the radix sort defines)."""
    return np.lexsort((~np.signbit(values), values))  # last key is the primary one


def assert_same_bits(actual, expected):
    assert actual.dtype == expected.dtype
    assert np.array_equal(actual.view(f"u{actual.itemsize}"),
                          expected.view(f"u{expected.itemsize}"))


def float_arrays(dtype=np.float64, max_size=40):
    width = 64 if dtype == np.float64 else 32
    with np.errstate(over="ignore"):  # float32: the float64 extremes become +-inf
        extremes = [np.float64(x).astype(dtype).item() for x in EXTREMES]
    elements = (st.floats(allow_nan=False, width=width)
                | st.sampled_from(extremes)
                | st.integers(-3, 3).map(float))  # ties
    return hnp.arrays(dtype, st.integers(0, max_size), elements=elements)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_radix_sort_equals_np_sort_up_to_the_order_of_signed_zeros(dtype, data):
    values = data.draw(float_arrays(dtype))
    result = _sorting.sort_values(values, method="radix")
    assert_same_bits(result, values[reference_order(values)])
    assert np.array_equal(result, np.sort(values))  # -0.0 == +0.0 here
    nonzero = result != 0
    assert_same_bits(result[nonzero], np.sort(values)[nonzero])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_radix_argsort_is_stable_like_np_argsort_stable(dtype, data):
    values = data.draw(float_arrays(dtype))
    ordered, order = _sorting.argsort_values(values, method="radix")
    assert order.dtype == np.int64
    assert np.array_equal(order, reference_order(values))
    assert_same_bits(ordered, values[order])
    if not np.any(values == 0):  # no signed zeros to tell apart: exactly np.argsort
        assert np.array_equal(order, np.argsort(values, kind="stable"))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("method", ["radix", "numpy", "auto"])
def test_tiny_arrays(n, method):
    values = np.array([3.0, -1.0, 3.0][:n])
    assert np.array_equal(_sorting.sort_values(values, method), np.sort(values))
    ordered, order = _sorting.argsort_values(values, method)
    assert np.array_equal(order, np.argsort(values, kind="stable"))
    assert np.array_equal(ordered, np.sort(values))


@pytest.mark.parametrize("shape", ["sorted", "reversed", "constant", "two values", "normal",
                                   "integers", "huge and tiny", "subnormal"])
def test_large_arrays_of_every_shape(rng, shape):
    n = 200_003
    values = {
        "sorted": np.arange(n, dtype=float),
        "reversed": np.arange(n, dtype=float)[::-1].copy(),
        "constant": np.full(n, -2.5),
        "two values": rng.choice([-0.0, 0.0, 1.0], n),
        "normal": rng.normal(size=n),
        "integers": rng.integers(-50, 50, n).astype(float),
        "huge and tiny": rng.normal(size=n) * 10.0 ** rng.integers(-300, 300, n),
        "subnormal": rng.integers(-1000, 1000, n) * 5e-324,
    }[shape]
    assert_same_bits(_sorting.sort_values(values, "radix"), values[reference_order(values)])
    _ordered, order = _sorting.argsort_values(values, "radix")
    assert np.array_equal(order, reference_order(values))
    assert np.array_equal(_sorting.sort_values(values, "auto"), np.sort(values))


def test_nan_sorts_last_like_np_sort():
    values = np.array([np.nan, 1.0, -np.nan, -np.inf, 0.0])
    assert np.array_equal(_sorting.sort_values(values, "radix"), np.sort(values),
                          equal_nan=True)
    _, order = _sorting.argsort_values(values, "radix")
    assert np.array_equal(order[:3], [3, 4, 1])


def test_input_is_not_modified_and_strided_input_is_sorted(rng):
    base = rng.normal(size=(50_000, 2))
    column = base[:, 1]  # strided view
    before = column.copy()
    assert np.array_equal(_sorting.sort_values(column, "radix"), np.sort(before))
    assert np.array_equal(column, before)
    read_only = before.copy()
    read_only.flags.writeable = False
    assert np.array_equal(_sorting.argsort_values(read_only, "radix")[1],
                          np.argsort(before, kind="stable"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_kernels_equal_py_func(rng, dtype, monkeypatch):
    values = rng.normal(size=37).astype(dtype)
    values[::5] = 0.0
    values[::7] = -0.0
    unsigned, sign, inf_bits, key_bits = _sorting._LAYOUT[np.dtype(dtype)]
    bits = values.view(unsigned)
    compiled_sort, compiled_argsort = kernels.radix_sort_bits, kernels.radix_argsort_bits

    def run_all(sort, argsort):
        results = []
        for digit_bits in (8, 11):
            out = np.empty_like(bits)
            sort(bits, out, np.empty_like(bits), sign, inf_bits, key_bits, digit_bits)
            sorted_out, order = np.empty_like(bits), np.empty(bits.size, np.int64)
            argsort(bits, sorted_out, order, np.empty_like(bits), np.empty(bits.size, np.int64),
                    sign, inf_bits, key_bits, digit_bits)
            results.append((out, order))
        return results

    # Compiled first: the helpers are swapped for their Python bodies afterwards, and a
    # kernel compiled while they are swapped would not type (a fresh cache compiles here).
    compiled = run_all(compiled_sort, compiled_argsort)
    for helper in ("_to_key", "_from_key", "_histograms"):  # the whole body in Python
        monkeypatch.setattr(kernels, helper, getattr(kernels, helper).py_func)
    plain = run_all(compiled_sort.py_func, compiled_argsort.py_func)
    for (out, order), (plain_out, plain_order) in zip(compiled, plain):
        assert np.array_equal(out, plain_out)
        assert np.array_equal(order, plain_order)


def test_pair_of_large_samples_is_sorted_on_two_threads(rng, monkeypatch):
    monkeypatch.setattr(_sorting, "_usable_cpus", lambda: 2)
    names = []
    original = _sorting.sort_values

    def recording(values, method="auto"):
        names.append(threading.current_thread().name)
        return original(values, method)

    monkeypatch.setattr(_sorting, "sort_values", recording)
    u = rng.normal(size=_sorting.CONCURRENT_MIN_SIZE)
    v = rng.normal(size=_sorting.CONCURRENT_MIN_SIZE + 5)
    u_sorted, v_sorted = _sorting.sorted_pair(u, v)
    assert np.array_equal(u_sorted, np.sort(u)) and np.array_equal(v_sorted, np.sort(v))
    assert sorted(names) == sorted([threading.current_thread().name, "otdiv-sort"])
    names.clear()
    _sorting.sorted_pair(u[:10], v)  # one small sample: no thread
    assert names == [threading.current_thread().name] * 2


def test_an_error_on_the_helper_thread_is_raised_in_the_caller(rng, monkeypatch):
    monkeypatch.setattr(_sorting, "_usable_cpus", lambda: 2)
    big = rng.normal(size=_sorting.CONCURRENT_MIN_SIZE)

    def failing_on_second(values, tag):
        if tag == "second":
            raise RuntimeError("boom")
        return tag

    with pytest.raises(RuntimeError, match="boom"):
        _sorting.run_both(failing_on_second, (big, "first"), (big, "second"))


def test_auto_rule_follows_the_documented_sizes(monkeypatch):
    small, large = _sorting.RADIX_MIN_SIZE - 1, _sorting.RADIX_MIN_SIZE
    assert _sorting._method("auto", small, permutation=True) == "numpy"
    assert _sorting._method("auto", large, permutation=True) == "radix"
    monkeypatch.setattr(_sorting, "_VECTORISED", True)
    assert _sorting._method("auto", large, permutation=False) == "numpy"
    monkeypatch.setattr(_sorting, "_VECTORISED", False)
    assert _sorting._method("auto", small, permutation=False) == "numpy"
    assert _sorting._method("auto", large, permutation=False) == "radix"


@settings(max_examples=20)
@given(hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e6, 1e6)),
       hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e6, 1e6)))
def test_sorted_pair_equals_two_np_sorts(u, v):
    for method in ("radix", "numpy"):
        u_sorted, v_sorted = _sorting.sorted_pair(u, v, method)
        assert np.array_equal(u_sorted, np.sort(u)) and np.array_equal(v_sorted, np.sort(v))
