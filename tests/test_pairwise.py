"""otdiv.pairwise: every entry is the single-pair function's number, work is done once per
sample, the result is frozen, and bad input is refused before any work goes out."""

import concurrent.futures
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import otdiv
from otdiv import _pairwise_cores as cores
from otdiv._kernels import energy as _energy_kernels
from otdiv.distance_matrix import PairwiseResult, pairwise

ROOT = Path(__file__).resolve().parents[1]


def collection(rng, d, count=5, sizes=(4, 30)):
    shape = (lambda n: (n,)) if d == 1 else (lambda n: (n, d))
    samples = [rng.normal(size=shape(int(rng.integers(*sizes)))) + k for k in range(count)]
    weights = [None if k % 2 == 0 else rng.random(len(s)) for k, s in enumerate(samples)]
    return samples, weights


def single(metric, u, v, u_w, v_w, *, p=1.0, seed=None, **options):
    """The public single-pair function the matrix entry must equal."""
    if metric == "wasserstein":
        return otdiv.wasserstein(u, v, u_w, v_w, p=p)
    if metric == "cramer":
        return otdiv.cramer_distance(u, v, u_w, v_w, p=p)
    if metric == "energy":
        return otdiv.energy_distance(u, v, u_w, v_w, method="exact", **options)
    if metric == "sliced_wasserstein":
        return otdiv.sliced_wasserstein(u, v, u_w, v_w, p=p, rng=seed, **options).value
    return otdiv.sliced_energy_distance(u, v, u_w, v_w, rng=seed, **options).value


CASES = [  # (metric, dimension, p, options); p None: the metric takes no order
    ("wasserstein", 1, 1.0, {}), ("wasserstein", 1, 2.5, {}), ("wasserstein", 2, 1.0, {}),
    ("wasserstein", 3, 2.0, {}), ("cramer", 1, 1.0, {}), ("cramer", 1, 2.0, {}),
    ("energy", 1, None, {}), ("energy", 1, None, {"squared": True}), ("energy", 2, None, {}),
    ("energy", 5, None, {"squared": True}),
    ("sliced_wasserstein", 1, 2.0, {"n_projections": 7}),
    ("sliced_wasserstein", 3, 1.0, {"n_projections": 7}),
    ("sliced_energy", 2, None, {"n_projections": 6}),
    ("sliced_energy", 3, None, {"n_projections": 6, "squared": True}),
]


def pair_seeds(seed, n_pairs):
    return np.random.SeedSequence(seed).spawn(n_pairs)


@pytest.mark.parametrize("metric, d, p, options", CASES)
def test_every_entry_equals_the_single_pair_function_bit_for_bit(rng, metric, d, p, options):
    samples, weights = collection(rng, d)
    result = pairwise(samples, metric=metric, p=p, weights=weights, rng=11, progress=False,
                      **options)
    n = len(samples)
    seeds = pair_seeds(11, n * (n - 1) // 2)
    k = 0
    for i in range(n):
        assert result.matrix[i, i] == 0.0
        for j in range(i + 1, n):
            expected = single(metric, samples[i], samples[j], weights[i], weights[j], p=p,
                              seed=seeds[k], **options)
            assert result.matrix[i, j] == expected, (i, j)
            assert result.matrix[j, i] == expected
            k += 1


def single_with_defaults(metric, u, v, seed):
    """The single-pair function called with nothing but the samples (and a sliced seed)."""
    if metric == "wasserstein":
        return otdiv.wasserstein(u, v)
    if metric == "cramer":
        return otdiv.cramer_distance(u, v)
    if metric == "energy":
        return otdiv.energy_distance(u, v, method="exact")
    if metric == "sliced_wasserstein":
        return otdiv.sliced_wasserstein(u, v, rng=seed).value
    return otdiv.sliced_energy_distance(u, v, rng=seed).value


@pytest.mark.parametrize("metric", cores.METRICS)
@pytest.mark.parametrize("d", [1, 2])
def test_each_metric_keeps_its_own_default_p_bit_for_bit(rng, metric, d):
    # Issue 25: pairwise(metric="cramer") returned l_1 = W_1 (p = 1) while cramer_distance
    # returns l_2, and sliced_wasserstein SW_1 against the function's SW_2.
    if metric == "cramer" and d == 2:
        return
    u, v = (rng.normal(size=(25, d)) for _ in range(2))
    if d == 1:
        u, v = u[:, 0], v[:, 0] + 0.7
    result = pairwise([u, v], metric=metric, rng=5, progress=False)
    expected = single_with_defaults(metric, u, v, pair_seeds(5, 1)[0])
    assert result.matrix[0, 1] == expected and result.matrix[1, 0] == expected
    assert result.options.get("p") == cores.DEFAULT_P.get(metric)


def test_default_orders_are_those_of_the_single_pair_functions():
    import inspect

    from otdiv._cli.distance import DEFAULT_P as CLI_DEFAULT_P
    functions = {"wasserstein": otdiv.wasserstein, "cramer": otdiv.cramer_distance,
                 "sliced_wasserstein": otdiv.sliced_wasserstein}
    signatures = {metric: inspect.signature(function).parameters["p"].default
                  for metric, function in functions.items()}
    assert signatures == cores.DEFAULT_P
    assert CLI_DEFAULT_P == cores.DEFAULT_P
    for metric in set(cores.METRICS) - set(cores.DEFAULT_P):
        with pytest.raises(ValueError, match="p applies to"):
            pairwise([[0.0], [1.0]], metric=metric, p=1, progress=False)


@pytest.mark.parametrize("metric, d, p, options", CASES[::2])
def test_samples_against_others_equal_the_single_pair_function(rng, metric, d, p, options):
    samples, weights = collection(rng, d, count=3)
    others, other_weights = collection(rng, d, count=4)
    result = pairwise(samples, others, metric=metric, p=p, weights=weights,
                      other_weights=other_weights, rng=3, progress=False, **options)
    assert result.matrix.shape == (3, 4)
    seeds = pair_seeds(3, 12)
    for i in range(3):
        for j in range(4):
            expected = single(metric, samples[i], others[j], weights[i], other_weights[j],
                              p=p, seed=seeds[i * 4 + j], **options)
            assert result.matrix[i, j] == expected


def test_energy_is_exact_across_scales_and_both_kernels(rng):
    # magnitudes 1e-3 .. 1e5 give several power-of-two scales per sample; 1000-point clouds
    # run the parallel kernels with each other and the serial ones with the small clouds
    samples = [rng.normal(size=(40, 2)) * 1e-3, rng.normal(size=(1000, 2)),
               rng.normal(size=(30, 2)) * 1e5, rng.normal(size=(900, 2)) + 3.0,
               np.zeros((5, 2))]
    result = pairwise(samples, metric="energy", progress=False)
    for i in range(len(samples)):
        for j in range(i + 1, len(samples)):
            assert result.matrix[i, j] == otdiv.energy_distance(samples[i], samples[j],
                                                                method="exact")


def test_sliced_standard_errors_match_the_single_pair_estimate(rng):
    samples, weights = collection(rng, 2, count=3)
    result = pairwise(samples, metric="sliced_energy", weights=weights, rng=8,
                      n_projections=9, progress=False)
    seeds = pair_seeds(8, 3)
    for k, (i, j) in enumerate([(0, 1), (0, 2), (1, 2)]):
        estimate = otdiv.sliced_energy_distance(samples[i], samples[j], weights[i],
                                                weights[j], n_projections=9, rng=seeds[k])
        assert result.standard_error[i, j] == estimate.standard_error
        assert result.standard_error[j, i] == estimate.standard_error
    assert result.duality_gap is None


def test_sliced_wasserstein_standard_error_covers_the_spread_of_seeds(rng):
    # delta-method error of (mean W_p^p)^(1/p): close to the spread over independent seeds
    x, y = rng.normal(size=(200, 3)), rng.normal(0.5, size=(200, 3))
    runs = [pairwise([x, y], metric="sliced_wasserstein", n_projections=50, rng=seed,
                     progress=False) for seed in range(40)]
    values = np.array([run.matrix[0, 1] for run in runs])
    errors = np.array([run.standard_error[0, 1] for run in runs])
    assert 0.6 < np.median(errors) / values.std(ddof=1) < 1.6


def test_exact_lp_pairs_carry_their_certified_duality_gap(rng):
    samples, _ = collection(rng, 2, count=3)
    result = pairwise(samples, progress=False)
    assert result.duality_gap.shape == (3, 3)
    assert np.all(result.duality_gap >= 0)
    assert np.all(result.duality_gap <= 1e-7 * result.matrix + 1e-300)
    assert result.standard_error is None
    assert pairwise([np.arange(3.0), np.arange(4.0)], progress=False).duality_gap is None


def test_dense_and_sparse_solvers_agree(rng):
    samples, _ = collection(rng, 2, count=3)
    dense = pairwise(samples, method="dense", progress=False).matrix
    sparse = pairwise(samples, method="sparse", progress=False).matrix
    np.testing.assert_allclose(sparse, dense, rtol=1e-10, atol=0)


def test_sliced_matrix_is_the_same_on_every_executor(rng):
    samples, _ = collection(rng, 2, count=4)
    serial = pairwise(samples, metric="sliced_wasserstein", rng=5, n_projections=5,
                      progress=False)
    with concurrent.futures.ThreadPoolExecutor(3) as threads:
        threaded = pairwise(samples, metric="sliced_wasserstein", rng=5, n_projections=5,
                            executor=threads, progress=False)
    processes = pairwise(samples, metric="sliced_wasserstein", rng=5, n_projections=5,
                         executor="processes", progress=False)
    assert np.array_equal(serial.matrix, threaded.matrix)
    assert np.array_equal(serial.matrix, processes.matrix)
    assert np.array_equal(serial.standard_error, processes.standard_error)


def test_a_generator_rng_is_consumed_reproducibly(rng):
    samples, _ = collection(rng, 2, count=3)
    first = pairwise(samples, metric="sliced_energy", rng=np.random.default_rng(4),
                     progress=False)
    second = pairwise(samples, metric="sliced_energy", rng=np.random.default_rng(4),
                      progress=False)
    again = pairwise(samples, metric="sliced_energy", rng=first.options["seed_entropy"],
                     progress=False)
    assert np.array_equal(first.matrix, second.matrix)
    assert np.array_equal(first.matrix, again.matrix)


def test_each_1d_sample_is_sorted_once(rng, monkeypatch):
    calls = []
    original = cores.sort_with_weights
    monkeypatch.setattr(cores, "sort_with_weights",
                        lambda values, weights: calls.append(1) or original(values, weights))
    samples, weights = collection(rng, 1, count=6)
    pairwise(samples, weights=weights, progress=False)
    assert len(calls) == 6  # not 2 x 15 pairs


def test_energy_self_terms_are_computed_once_per_sample(rng, monkeypatch):
    calls = []
    original = _energy_kernels.within_distance_sum_serial
    monkeypatch.setattr(_energy_kernels, "within_distance_sum_serial",
                        lambda *args: calls.append(1) or original(*args))
    samples = [rng.uniform(-1.5, 1.5, size=(20, 2)) for _ in range(6)]  # one scale: 2
    pairwise(samples, metric="energy", progress=False)
    assert len(calls) == 6  # not 2 x 15 pairs


def test_one_sample_gives_the_1x1_zero_matrix():
    result = pairwise([np.arange(4.0)], progress=False)
    assert result.matrix.tolist() == [[0.0]]


def test_a_stack_array_of_samples_is_accepted(rng):
    stack = rng.normal(size=(3, 10, 2))
    assert np.array_equal(pairwise(stack, progress=False).matrix,
                          pairwise(list(stack), progress=False).matrix)


def test_result_is_frozen(rng):
    samples, _ = collection(rng, 2, count=3)
    result = pairwise(samples, progress=False)
    assert isinstance(result, PairwiseResult)
    with pytest.raises(ValueError):
        result.matrix[0, 1] = 1.0
    with pytest.raises(ValueError):
        result.duality_gap[0, 1] = 1.0
    with pytest.raises(TypeError):
        result.options["p"] = 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.metric = "energy"
    assert dict(result.options) == {"p": 1.0, "method": "auto"}


# --- bad input, refused before any work ---------------------------------------------------

@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any sample is prepared (the first step of the work)."""
    def refuse(*args, **kwargs):
        raise AssertionError("work started before the input was checked")
    monkeypatch.setattr(cores, "prepare", refuse)


GOOD = [np.arange(3.0), np.arange(4.0)]


@pytest.mark.parametrize("arguments, error, words", [
    (dict(samples=[]), ValueError, "samples must contain at least one sample"),
    (dict(samples=[np.zeros(3), np.zeros((3, 2))]), ValueError, "samples[1]"),
    (dict(samples=[np.zeros(3), [0.0, np.nan]]), ValueError, "samples[1] must be finite"),
    (dict(samples=[np.zeros(3), []]), ValueError, "samples[1] must contain"),
    (dict(samples=GOOD, others=[np.zeros((2, 2))]), ValueError, "others[0]"),
    (dict(samples=GOOD, others=[np.zeros(2), [np.inf]]), ValueError, "others[1]"),
    (dict(samples=GOOD, others=[]), ValueError, "others must contain"),
    (dict(samples=GOOD, metric="kl"), ValueError, "metric must be one of"),
    (dict(samples=GOOD, executor="threads"), ValueError, "executor"),
    (dict(samples=GOOD, executor=4), TypeError, "executor"),
    (dict(samples=GOOD, n_projections=3), TypeError, "n_projections"),
    (dict(samples=GOOD, metric="energy", p=2), ValueError, "p applies to"),
    (dict(samples=GOOD, p=0.5), ValueError, "p must be >= 1"),
    (dict(samples=GOOD, method="sinkhorn"), ValueError, "method must be one of"),
    (dict(samples=GOOD, metric="energy", squared="yes"), TypeError, "squared"),
    (dict(samples=GOOD, metric="sliced_energy", n_projections=1), ValueError,
     "n_projections must be >= 2"),
    (dict(samples=[np.zeros((2, 2))] * 2, metric="cramer"), ValueError, "1-D samples"),
    (dict(samples=GOOD, weights=[None]), ValueError, "one entry per sample"),
    (dict(samples=GOOD, weights=[None, [1, -1, 1, 1]]), ValueError, "weights[1]"),
    (dict(samples=GOOD, weights=[None, [1, 1]]), ValueError, "weights[1] must have length 4"),
    (dict(samples=GOOD, other_weights=[None]), ValueError, "other_weights is given"),
    (dict(samples=np.zeros((4, 3))), ValueError, "list(array)"),
    (dict(samples="abc"), TypeError, "samples must be a sequence"),
    (dict(samples=GOOD, rng=-1), ValueError, "rng"),
    (dict(samples=GOOD, rng="seed"), TypeError, "rng"),
    (dict(samples=GOOD, progress=1), TypeError, "progress"),
])
def test_bad_input_is_refused_before_any_work(no_work, arguments, error, words):
    samples = arguments.pop("samples")
    with pytest.raises(error) as info:
        pairwise(samples, **arguments)
    assert words in str(info.value)


@pytest.mark.parametrize("metric, d", [("sliced_wasserstein", 1), ("sliced_energy", 3)])
def test_too_many_projections_are_refused_before_any_work(no_work, metric, d):
    """The single-pair functions' memory limit, not a MemoryError after work started."""
    samples = [np.zeros((3, d)), np.ones((4, d))]
    with pytest.raises(ValueError, match="n_projections must be at most") as info:
        pairwise(samples, metric=metric, n_projections=10**12, progress=False)
    assert f"R^{d}" in str(info.value)
    if d == 1:
        with pytest.raises(ValueError) as single:
            otdiv.sliced_wasserstein(samples[0], samples[1], n_projections=10**12)
        assert str(single.value) == str(info.value)


def _shut_down_threads():
    import concurrent.futures
    pool = concurrent.futures.ThreadPoolExecutor(1)
    pool.shutdown()
    return pool


def _shut_down_processes():
    import concurrent.futures
    pool = concurrent.futures.ProcessPoolExecutor(1)
    pool.shutdown()
    return pool


@pytest.mark.parametrize("make", [_shut_down_threads, _shut_down_processes])
def test_shut_down_executor_is_refused_before_any_work(no_work, make):
    with pytest.raises(ValueError, match="executor must accept new work") as info:
        pairwise(GOOD, executor=make(), progress=False)
    assert "shut down" in str(info.value)


def test_executor_whose_submit_refuses_work_is_named():
    import concurrent.futures

    class Closed(concurrent.futures.Executor):
        def submit(self, *args, **kwargs):
            raise RuntimeError("cannot schedule new futures after shutdown")

    with pytest.raises(ValueError, match="executor must accept new work") as info:
        pairwise(GOOD, executor=Closed(), progress=False)
    assert "cannot schedule new futures" in str(info.value)


def test_nan_message_names_the_sample_index():
    samples = [np.zeros(3)] * 7 + [np.array([1.0, np.nan])]
    with pytest.raises(ValueError, match=r"samples\[7\] must be finite"):
        pairwise(samples)


def test_import_otdiv_and_a_serial_matrix_never_import_dask():
    code = ("import sys, otdiv, otdiv.distance_matrix as pw\n"
            "pw.pairwise([[0.0, 1.0], [2.0]], progress=False)\n"
            "pw.pairwise([[0.0, 1.0], [2.0]], executor='processes', progress=False)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[]"]
