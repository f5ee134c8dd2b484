"""The sparse exact solver: the same optimum as the dense one, certified for the full problem."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import otdiv
from otdiv import SolverError, solve_kantorovich, transport, wasserstein
from otdiv._kernels import pricing
from otdiv.exact import sparse as sparse_solver
from otdiv.geometry import PointCloudCost, _Tree


@pytest.fixture(scope="module")
def multiscale():
    """Force the multiscale path (coarse solves, refinement) on small problems."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse_solver, "DENSE_LIMIT", 64)
        yield


@st.composite
def cloud_pairs(draw, max_points=60):
    """Two weighted clouds with ties, duplicate points, zero weights and n != m."""
    n = draw(st.integers(1, max_points))
    m = draw(st.integers(1, max_points))
    d = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    grid = draw(st.booleans())  # integer grids make many ties and duplicates
    if grid:
        x = rng.integers(0, 4, size=(n, d)).astype(float)
        y = rng.integers(0, 4, size=(m, d)).astype(float)
    else:
        x = rng.normal(size=(n, d))
        y = rng.normal(size=(m, d)) + rng.normal(size=d)
    a = rng.random(n) * (rng.random(n) < 0.8)
    b = rng.random(m) * (rng.random(m) < 0.8)
    a[rng.integers(n)] += 0.5
    b[rng.integers(m)] += 0.5
    p = draw(st.sampled_from([1.0, 2.0, 1.5]))
    return x, y, a, b, p


@settings(max_examples=30)
@given(cloud_pairs())
def test_sparse_and_dense_agree_to_1e_10(multiscale, problem):
    x, y, a, b, p = problem
    dense = wasserstein(x, y, a, b, p=p, method="dense")
    sparse = wasserstein(x, y, a, b, p=p, method="sparse")
    assert sparse == pytest.approx(dense, rel=1e-10, abs=1e-12)


@settings(max_examples=15)
@given(cloud_pairs(max_points=40))
def test_sparse_plan_has_the_marginals_and_feasible_potentials(multiscale, problem):
    x, y, a, b, p = problem
    result = transport(x, y, a, b, p=p, method="sparse")
    plan = result.plan.toarray()
    a, b = a / a.sum(), b / b.sum()
    np.testing.assert_allclose(plan.sum(axis=1), a, atol=1e-9)
    np.testing.assert_allclose(plan.sum(axis=0), b, atol=1e-9)
    # Independent check of dual feasibility over every pair, from the dense matrix.
    cost = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2) ** p
    slack = cost - result.dual_u[:, None] - result.dual_v[None, :]
    assert slack.min() >= -1e-9 * (1 + cost.max())
    assert result.cost == pytest.approx(float(np.sum(plan * cost)), rel=1e-9, abs=1e-12)


def test_sparse_result_reports_method_rounds_and_arcs(rng):
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(250, 2)) + 1
    result = transport(x, y, method="sparse")
    assert result.method == "sparse" and result.diagnostics["rounds"] >= 1
    assert result.diagnostics["arcs"] >= 300 and result.diagnostics["pivots"] > 0
    assert sp.issparse(result.plan) and not result.plan.data.flags.writeable
    dense = transport(x, y, method="dense")
    assert isinstance(dense.plan, np.ndarray) and "rounds" not in dense.diagnostics
    assert result.cost == pytest.approx(dense.cost, rel=1e-10)


def test_kantorovich_potentials_match_between_solvers(rng):
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [2.0, 0.0]
    f_sparse = otdiv.kantorovich_potential(x, y, method="sparse")
    report = otdiv.verify_critic(f_sparse, x, y, method="sparse")
    assert report.passed and report.plan_tightness == pytest.approx(1.0)
    assert report.exact_w1 == pytest.approx(wasserstein(x, y, method="dense"), rel=1e-10)


def test_multiscale_levels_reach_the_dense_optimum(rng, monkeypatch):
    monkeypatch.setattr(sparse_solver, "DENSE_LIMIT", 100)  # three levels at n = 400
    x, y = rng.normal(size=(400, 2)), rng.standard_t(3, size=(400, 2))
    for p in (1.0, 2.0):
        assert wasserstein(x, y, p=p, method="sparse") == pytest.approx(
            wasserstein(x, y, p=p, method="dense"), rel=1e-10)


def test_pricing_threshold_follows_the_solvers_residual_within_bounds():
    rows, columns = np.array([0, 0, 1]), np.array([0, 1, 1])
    u, v, all_arcs = np.zeros(2), np.zeros(2), np.ones(3, dtype=bool)
    threshold = sparse_solver._pricing_threshold
    exact = np.array([0.0, 0.5, 0.0])  # every reduced cost >= 0: the fixed tolerance
    assert threshold(exact, rows, columns, u, v, all_arcs) == sparse_solver.PRICING_TOLERANCE
    residual = np.array([-1.3e-10, 0.5, 0.0])  # the solver's own arcs at -1.3e-10: twice it
    assert threshold(residual, rows, columns, u, v, all_arcs) == 2.6e-10
    wrong = np.array([-1e-3, 0.5, 0.0])  # never more than the cap, however bad the solver
    assert threshold(wrong, rows, columns, u, v, all_arcs) == \
        sparse_solver.MAX_PRICING_THRESHOLD
    # a massless point's potential is free in the LP: its arcs do not count
    massless_row = np.array([False, False, True])
    assert threshold(wrong, rows, columns, u, v, massless_row) == \
        sparse_solver.PRICING_TOLERANCE
    assert threshold(wrong, rows, columns, u, v, np.zeros(3, dtype=bool)) == \
        sparse_solver.PRICING_TOLERANCE


def test_identical_clouds_cost_zero(multiscale, rng):
    x = rng.normal(size=(80, 2))
    assert wasserstein(x, x, method="sparse") == 0.0


@pytest.mark.parametrize("exact_unit", [False, True])
def test_tree_order_keeps_every_cost_and_the_units(exact_unit, rng):
    x, y = rng.normal(size=(70, 2)) * 3.0, rng.normal(size=(55, 2))
    cost = PointCloudCost(x, y, 1.5, exact_unit=exact_unit)
    ordered, x_order, y_order = cost.in_tree_order()
    assert sorted(x_order) == list(range(70)) and sorted(y_order) == list(range(55))
    rows, columns = np.divmod(np.arange(70 * 55), 55)
    np.testing.assert_array_equal(ordered.arc_costs(rows, columns),
                                  cost.arc_costs(x_order[rows], y_order[columns]))
    np.testing.assert_array_equal(ordered.dense(), cost.dense()[np.ix_(x_order, y_order)])
    assert ordered.to_distance(0.25) == cost.to_distance(0.25)
    # k-d tree order: each half of the order is one side of the root's median split.
    first_half = ordered.x[:35]
    second_half = ordered.x[35:]
    axis = int(np.argmax(np.ptp(cost.x, axis=0)))
    assert first_half[:, axis].max() <= second_half[:, axis].min()


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_raw_answer_is_in_the_callers_order(p, rng):
    """Solved in k-d tree order, answered in the input's: both potentials and the hint are
    tight on the plan's arcs and feasible on every pair of the caller's problem (the
    certificate alone would not see one wrong side: it falls back to the other)."""
    from otdiv.exact.problem import Problem

    n, m = 700, 600  # above DENSE_LIMIT: the reordered path
    x, y = rng.normal(size=(n, 2)), rng.normal(size=(m, 2)) + 0.5
    cost = PointCloudCost(x, y, p)
    raw = sparse_solver.solve_point_clouds(Problem(np.full(n, 1 / n), np.full(m, 1 / m), cost))
    dense = cost.dense()
    slack = dense - raw.dual_u[:, None] - raw.dual_v[None, :]
    assert slack.min() >= -1e-9
    np.testing.assert_allclose(slack[raw.rows, raw.columns], 0.0, atol=1e-9)
    np.testing.assert_allclose(np.bincount(raw.rows, raw.flows, minlength=n), 1 / n, rtol=1e-9)
    np.testing.assert_allclose(np.bincount(raw.columns, raw.flows, minlength=m), 1 / m,
                               rtol=1e-9)
    assert np.all(raw.hint >= raw.dual_u)


def test_pricing_kernels_equal_their_py_func_and_a_scan(rng):
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(45, 2))
    cost = PointCloudCost(x, y, 1.0)
    potential = rng.normal(size=45) * 0.1
    tree_values, _ = cost.cheapest(potential, 3)
    values = np.empty((30, 3))
    columns = np.empty((30, 3), dtype=np.int64)
    pricing.cheapest_targets_scan(cost.x, cost.y, potential, 1.0, 3, np.full(30, np.inf),
                                  columns, values)
    np.testing.assert_array_equal(tree_values, values)
    dense = cost.dense() - potential[None, :]
    np.testing.assert_allclose(tree_values, np.sort(dense, axis=1)[:, :3], rtol=1e-15)
    plain = np.empty((30, 3))
    plain_columns = np.empty((30, 3), dtype=np.int64)
    pricing.cheapest_targets_scan.py_func(cost.x, cost.y, potential, 1.0, 3,
                                          np.full(30, np.inf), plain_columns, plain)
    np.testing.assert_array_equal(plain, values)
    rows = np.array([0, 5], dtype=np.int64)
    columns_ = np.array([3, 7], dtype=np.int64)
    np.testing.assert_array_equal(pricing.arc_costs(cost.x, cost.y, rows, columns_, 2.0),
                                  pricing.arc_costs.py_func(cost.x, cost.y, rows, columns_, 2.0))


@pytest.mark.parametrize("p", [1.0, 2.0])
@pytest.mark.parametrize("kind", ["random", "affine", "optimal", "ties and -inf"])
@pytest.mark.parametrize("scale", [1e-120, 1e-3, 1.0, 1e3, 1e120])
def test_affine_envelope_search_is_exact(kind, scale, p):
    """p = 2 and p = 1 prune with affine envelopes of the potential: the k best must be
    exactly the brute-force scan's, for potentials the envelope fits exactly (affine, of
    slope 1 for p = 1 as W_1's are along their rays; optimal) or not."""
    rng = np.random.default_rng(len(kind))
    for d in (1, 2, 3, 5):
        x = rng.normal(size=(150, d)) * scale
        y = (rng.normal(size=(260, d)) + rng.normal(size=d)) * scale
        direction = rng.normal(size=d)
        direction /= np.linalg.norm(direction)
        if kind == "random":
            w = rng.normal(size=260) * scale**p
        elif kind == "affine":
            w = y @ direction * (scale ** (p - 1) if p != 1.0 else 1.0)
        elif kind == "optimal":  # a c-transform: the shape of the solver's potentials
            u = rng.normal(size=150) * scale**p * 0.1
            distance = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
            w = (distance**p - u[:, None]).min(axis=0)
        else:
            w = np.round(y @ direction / scale, 1) * scale**p
            w[rng.random(260) < 0.1] = -np.inf
        for k, bounds in ((1, np.full(150, np.inf)), (4, rng.normal(size=150) * scale**p)):
            values, _ = _Tree(y).cheapest(x, w, p, k, bounds.copy())
            expected = np.empty((150, k))
            pricing.cheapest_targets_scan(x, y, w, p, k, bounds.copy(),
                                          np.empty((150, k), dtype=np.int64), expected)
            np.testing.assert_array_equal(values, expected)


def test_w1_envelope_search_is_exact_where_squares_underflow():
    """A cluster 1e-162 wide: the direction to a box centre so close cannot be normalised
    (its squared length is subnormal), and the p = 1 envelope bound must then stay valid
    (found by review: a unit vector 1.2 long once made the search miss the nearest point)."""
    y = np.vstack([np.tile([-2.2e-162, 0.0], (16, 1)),
                   np.column_stack([np.linspace(2e-162, 3.32e-162, 16), np.zeros(16)])])
    x = np.zeros((1, 2))
    values, _ = _Tree(y).cheapest(x, np.zeros(32), 1.0, 1, np.full(1, np.inf))
    assert values[0, 0] == 2e-162
    rng = np.random.default_rng(7)
    for _ in range(40):
        scale = 10.0 ** rng.uniform(-162, -150)
        x = rng.normal(size=(20, 2)) * scale
        y = np.vstack([rng.normal(size=(40, 2)) * scale, rng.normal(size=(8, 2))])
        w = np.concatenate([rng.normal(size=40) * scale, rng.normal(size=8)])
        for k in (1, 3):
            values, _ = _Tree(y).cheapest(x, w, 1.0, k, np.full(20, np.inf))
            expected = np.empty((20, k))
            pricing.cheapest_targets_scan(x, y, w, 1.0, k, np.full(20, np.inf),
                                          np.empty((20, k), dtype=np.int64), expected)
            np.testing.assert_array_equal(values, expected)


def test_sparse_cost_matrix_certifies_against_its_arcs():
    cost = sp.coo_array(([1.0, 3.0, 2.0], ([0, 0, 1], [0, 1, 1])), shape=(2, 2))
    result = solve_kantorovich([0.5, 0.5], [0.25, 0.75], cost)
    assert result.cost == pytest.approx(0.25 * 1 + 0.25 * 3 + 0.5 * 2)
    dense = np.array([[1.0, 3.0], [np.inf, 2.0]])
    slack = dense - result.dual_u[:, None] - result.dual_v[None, :]
    assert slack[np.isfinite(dense)].min() >= -1e-12


def test_sparse_cost_agrees_with_dense_when_every_arc_is_given(rng):
    a, b = rng.random(7), rng.random(5)
    a, b = a / a.sum(), b / b.sum()
    matrix = rng.random((7, 5)) * 10
    assert solve_kantorovich(a, b, sp.csr_array(matrix)).cost == pytest.approx(
        solve_kantorovich(a, b, matrix).cost, rel=1e-12)


def test_sparse_cost_without_a_feasible_plan_is_refused():
    stranded = sp.coo_array(([1.0, 2.0], ([0, 0], [0, 1])), shape=(2, 2))
    with pytest.raises(ValueError, match="row 1 has positive mass and no allowed arc"):
        solve_kantorovich([0.5, 0.5], [0.5, 0.5], stranded)
    too_narrow = sp.coo_array(([1.0, 2.0], ([0, 1], [0, 0])), shape=(2, 2))
    with pytest.raises(ValueError, match="no feasible plan|no allowed arc"):
        solve_kantorovich([0.5, 0.5], [0.5, 0.5], too_narrow)


def test_sparse_cost_refuses_duplicates_nan_and_highs():
    duplicate = sp.coo_array(([1.0, 2.0], ([0, 0], [0, 0])), shape=(1, 1))
    with pytest.raises(ValueError, match="duplicate entry at \\(0, 0\\)"):
        solve_kantorovich([1.0], [1.0], duplicate)
    with pytest.raises(ValueError, match="cost must be finite"):
        solve_kantorovich([1.0], [1.0], sp.coo_array(np.array([[np.nan]])))
    with pytest.raises(ValueError, match="method must be 'network_simplex'"):
        solve_kantorovich([1.0], [1.0], sp.coo_array(np.array([[1.0]])), method="highs")


def test_unknown_method_and_bad_progress_are_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        wasserstein([[0.0, 0.0]], [[1.0, 1.0]], method="network")
    with pytest.raises(TypeError, match="progress must be True or False"):
        transport([[0.0, 0.0]], [[1.0, 1.0]], progress="yes")


def test_dense_solve_that_would_not_fit_is_refused_before_it_starts(monkeypatch):
    from otdiv import _transport as sample_transport  # the solver rule behind it
    monkeypatch.setattr(sample_transport, "_available_memory", lambda: 1e6)
    x = np.zeros((300, 2))
    with pytest.raises(MemoryError, match="would need about .* GiB .* are available"):
        wasserstein(x, x + 1, method="dense")


def test_wide_range_costs_are_solved_exactly_or_refused():
    # An arc priced at 1e16 once made the certificate accept 19 instead of 15.
    cost = np.array([[5, 0, 8, 6], [6, 5, 1e16, 9], [9, 1, 7, 6], [5, 2, 7, 2]], float)
    for method in ("network_simplex", "highs"):
        assert solve_kantorovich(np.ones(4), np.ones(4), cost, method=method).cost == 15.0


def test_far_away_shared_point_keeps_the_small_distances_exact():
    far = [1e12, 1e12]
    x = np.array([[0.0, 0.0], [1.0, 0.0], far])
    y = np.array([[0.0, 1.0], [1.0, 1.0], far])
    # The shared far point moves nothing: W_1 = (1 + 1 + 0) / 3.
    try:
        value = wasserstein(x, y)
    except SolverError:
        return  # refusing is allowed; a wrong number is not
    assert value == pytest.approx(2 / 3, rel=1e-12)


def test_auto_rule_is_dense_in_high_dimension_while_the_matrix_fits(monkeypatch):
    from otdiv import _transport as st_module

    monkeypatch.setattr(st_module, "_available_memory", lambda: 64 * 2**30)
    choose = st_module._choose_method
    assert choose("auto", 1000, 1000, 2) == "dense"       # small: dense in any dimension
    assert choose("auto", 1001, 1000, 2) == "sparse"
    assert choose("auto", 1001, 1000, 8) == "sparse"      # k-d trees prune in low d
    assert choose("auto", 2500, 2500, 9) == "dense"       # ...less from d = 9 on
    assert choose("auto", 2500, 2501, 16) == "sparse"
    assert choose("auto", 3000, 3000, 16) == "sparse"
    assert choose("auto", 3000, 3000, 17) == "dense"      # they do not in high d
    assert choose("auto", 2500, 2500, 784) == "dense"
    assert choose("auto", 50_000, 50_000, 784) == "sparse"  # 96 GiB: the matrix does not fit


def test_progress_bar_shows_arc_counts_as_integers():
    from otdiv._transport import _progress_bar
    bar = _progress_bar(True)
    report = bar.__enter__()
    try:
        report(1, 12345, 2_000_000)
        assert "arcs=2,000,000" in bar.bar.postfix and "e+" not in bar.bar.postfix
    finally:
        bar.__exit__(None, None, None)


def test_progress_bar_names_each_phase():
    from otdiv._transport import _progress_bar
    bar = _progress_bar(True)
    report = bar.__enter__()
    try:
        assert bar.bar.desc == "exact OT (sparse): coarse solve"
        report(0, 0, 5000)
        assert bar.bar.desc == "exact OT (sparse): round 1"
        report(1, 321, 5000)
        assert bar.bar.desc == "exact OT (sparse): round 2" and "violators=321" in bar.bar.postfix
        report(2, 0, 5321)
        assert bar.bar.desc == "exact OT (sparse): certificate after 2 rounds"
        assert "violators" not in bar.bar.postfix and "arcs=5,321" in bar.bar.postfix
    finally:
        bar.__exit__(None, None, None)


def test_silenced_progress_bar_reports_nothing():
    from otdiv._transport import _progress_bar
    bar = _progress_bar(False)
    with bar as report:
        assert report is None
    bar.summary(None)  # nothing to summarise, nothing printed


def test_sparse_solve_leaves_a_one_line_summary(rng, monkeypatch, capsys):
    from otdiv import _transport as st_module  # the solver rule behind transport()

    monkeypatch.setattr(st_module, "PROGRESS_PAIR_LIMIT", 1)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    result = otdiv.transport(x, y, method="sparse")
    err = capsys.readouterr().err
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    summary = lines[-1]
    rounds = result.diagnostics["rounds"]
    arcs = result.diagnostics["arcs"]
    assert summary.startswith(f"exact OT (sparse): {rounds} round")
    assert f"{arcs:,} arcs" in summary and " s, certified gap " in summary
    assert summary.endswith(" of the cost")
    gap = float(summary.split("certified gap ")[1].split()[0])  # printed to one digit
    assert gap == pytest.approx(result.duality_gap / result.cost, rel=0.5, abs=1e-300)
    for phase in ("coarse solve", "round 1", "certificate after"):
        assert f"exact OT (sparse): {phase}" in err


def test_sparse_solve_prints_nothing_when_silenced(rng, monkeypatch, capsys):
    from otdiv import _transport as st_module  # the solver rule behind transport()

    monkeypatch.setattr(st_module, "PROGRESS_PAIR_LIMIT", 1)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    otdiv.transport(x, y, method="sparse", progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("d", [3, 40])
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_blocked_scan_finds_exactly_what_the_tree_finds(d, p, rng, monkeypatch):
    from otdiv import geometry

    x = rng.normal(size=(70, d))
    y = np.vstack([rng.normal(size=(50, d)), x[:10] + 1e-9])  # near-duplicates
    x, y = x / 8, y / 8
    potential = rng.normal(size=y.shape[0]) * 0.01
    bounds = np.quantile(rng.normal(size=70), 0.5) + np.zeros(70) + 1.0
    monkeypatch.setattr(geometry, "SCAN_BLOCK_ENTRIES", 1000)  # several blocks
    tree, scan = geometry._Tree(y), geometry._Scan(y)
    for k, limit in ((1, None), (5, None), (5, bounds)):
        tree_values, tree_columns = tree.cheapest(x, potential, p, k, limit)
        scan_values, scan_columns = scan.cheapest(x, potential, p, k, limit)
        np.testing.assert_array_equal(scan_values, tree_values)
        np.testing.assert_array_equal(scan_columns, tree_columns)


def test_high_dimensional_dense_solve_is_certified_for_the_exact_costs(rng):
    # d >= BLAS_MIN_DIMENSION: POT solves on BLAS distances, the certificate uses exact ones.
    import ot
    from scipy.spatial.distance import cdist

    from otdiv import geometry

    d = geometry.BLAS_MIN_DIMENSION + 1
    x = rng.normal(size=(120, d))
    y = np.vstack([x[:40] + 1e-9, rng.normal(size=(80, d)) + 0.3])  # near-duplicates
    result = transport(x, y, method="dense", progress=False)
    expected = ot.emd2(np.full(120, 1 / 120), np.full(120, 1 / 120), cdist(x, y),
                       numItermax=10**7)
    assert result.cost == pytest.approx(expected, rel=1e-12)
    assert result.duality_gap <= 1e-7 * result.cost


@pytest.mark.slow
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_multiscale_above_ten_thousand_points_equals_the_translation_cost(p):
    """W_p between a cloud and a translated, shuffled copy is |t| (the translation is
    optimal for every p >= 1: the Kantorovich-Rubinstein / Brenier argument), at 2·10^4
    points where the solver runs its full multiscale path."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20_000, 2))
    shift = np.array([0.75, -0.5])
    y = rng.permutation(x + shift)
    result = transport(x, y, p=p, progress=False)
    assert result.method == "sparse"
    assert result.cost ** (1 / p) == pytest.approx(np.linalg.norm(shift), rel=1e-12)
    assert result.duality_gap <= 1e-7 * result.cost
