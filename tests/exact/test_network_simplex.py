"""otdiv's network simplex on arc lists: agreement with POT, optimality conditions, warm
starts from a kept basis, infeasible arc sets, interrupt safety, compiled vs .py_func."""

import numpy as np
import ot
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otdiv._kernels import network_simplex as kernels
from otdiv.exact import network_simplex as ns
from otdiv.exact.certificate import SolverError
from otdiv.exact.network_simplex import Basis, solve_arcs


def pot_sparse_flows(a, b, rows, columns, costs):
    """POT's sparse network simplex (the oracle): flows per given arc (sorted keys)."""
    from ot.lp.emd_wrap import emd_c_sparse

    order = np.argsort(rows * b.size + columns)
    rows, columns, costs = rows[order], columns[order], costs[order]
    flow_rows, flow_columns, flow, *_ = emd_c_sparse(
        a, b, rows.astype(np.uint64), columns.astype(np.uint64),
        np.ascontiguousarray(costs), 10_000_000)
    keys = rows * b.size + columns
    flows = np.zeros(rows.size)
    flows[np.searchsorted(keys, flow_rows.astype(np.int64) * b.size + flow_columns)] = flow
    result = np.empty_like(flows)
    result[order] = flows
    return result


def dense_arcs(n, m):
    rows, columns = np.divmod(np.arange(n * m), m)
    return rows, columns


def reference_cost(a, b, cost):
    """ot.emd2 with costs shifted to be non-negative (POT misreads negative costs)."""
    low = min(float(cost.min()), 0.0)
    return float(ot.emd2(a, b, cost - low, numItermax=10_000_000)) + low


def check_optimality(a, b, rows, columns, costs, answer, rtol=1e-12):
    """Marginals, complementary slackness, dual feasibility and primal = dual."""
    n, m = a.size, b.size
    flows = answer.flows
    assert np.all(flows >= 0)
    np.testing.assert_allclose(np.bincount(rows, flows, minlength=n), a, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.bincount(columns, flows, minlength=m), b, rtol=0, atol=1e-14)
    size = max(float(np.abs(costs).max()), 1e-300)
    reduced = costs - answer.dual_u[rows] - answer.dual_v[columns]
    assert reduced.min() >= -1e-12 * size
    assert answer.diagnostics["min_reduced_cost"] >= -1e-12 * size
    assert np.all(np.abs(reduced[flows > 0]) <= 1e-12 * size)
    basic = np.zeros(rows.size, bool)
    keys = rows * m + columns
    basic[np.isin(keys, answer.basis.rows * m + answer.basis.columns)] = True
    assert np.all(np.abs(reduced[basic]) <= 1e-12 * size)
    dual = a @ answer.dual_u + b @ answer.dual_v
    # Rounding: of the dual sum, and of potentials that carry the big-M artificial cost
    # 2 (n + m + 1) (in units of max |cost|) when a component of the basis hangs from it.
    dual_size = a @ np.abs(answer.dual_u) + b @ np.abs(answer.dual_v)
    big_m = 2 * (n + m + 1) * size
    allowed = (rtol * max(abs(answer.cost), 1e-3 * size)
               + 8 * np.finfo(float).eps * (size + dual_size + big_m))
    assert abs(dual - answer.cost) <= allowed


@st.composite
def dense_problems(draw):
    """Dense problems with the awkward features: ties, duplicated points, zero masses,
    one point against many, costs spanning 1e8, negative costs."""
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["uniform", "integer", "duplicates", "span", "negative",
                                 "equal"]))
    zeros = draw(st.booleans())
    rng = np.random.default_rng(seed)
    a = rng.random(n)
    b = rng.random(m)
    if zeros:
        a[rng.random(n) < 0.3] = 0.0
        b[rng.random(m) < 0.3] = 0.0
        a[rng.integers(n)] += 0.5
        b[rng.integers(m)] += 0.5
    a /= a.sum()
    b /= b.sum()
    if kind == "uniform":
        cost = rng.random((n, m))
    elif kind == "integer":
        cost = rng.integers(0, 3, (n, m)).astype(float)
    elif kind == "duplicates":
        x = rng.random((n, 2))
        y = np.concatenate([x, rng.random((m, 2))])[rng.integers(0, n + m, m)]
        cost = ot.dist(x, y)
    elif kind == "span":
        cost = 10.0 ** rng.uniform(0, 8, (n, m))
    elif kind == "negative":
        cost = rng.normal(size=(n, m)) * 100
    else:
        cost = np.ones((n, m))
    return a, b, cost


@settings(max_examples=60)
@given(dense_problems())
def test_agrees_with_pot_on_dense_problems(problem):
    a, b, cost = problem
    rows, columns = dense_arcs(*cost.shape)
    answer = solve_arcs(a, b, rows, columns, cost.ravel())
    expected = reference_cost(a, b, cost)
    scale = float(np.sum(np.outer(a, b) * np.abs(cost)))  # the size of the numbers summed
    assert abs(answer.cost - expected) <= 1e-12 * max(abs(expected), 1e-4 * scale)
    check_optimality(a, b, rows, columns, cost.ravel(), answer)


@pytest.mark.parametrize("n, m", [(60, 45), (1, 30), (30, 1), (80, 80)])
def test_agrees_with_pot_on_point_clouds(rng, n, m):
    x, y = rng.random((n, 2)), rng.random((m, 2))
    a, b = rng.random(n), rng.random(m)
    a, b = a / a.sum(), b / b.sum()
    for cost in (ot.dist(x, y), ot.dist(x, y, metric="euclidean")):
        rows, columns = dense_arcs(n, m)
        answer = solve_arcs(a, b, rows, columns, cost.ravel())
        assert answer.cost == pytest.approx(reference_cost(a, b, cost), rel=1e-12)
        check_optimality(a, b, rows, columns, cost.ravel(), answer)


def test_negative_costs_are_read_correctly():
    # POT reports this 1x1 problem as infeasible; the answer is the cost itself.
    answer = solve_arcs(np.ones(1), np.ones(1), np.zeros(1, int), np.zeros(1, int),
                        np.array([-2.0]))
    assert answer.cost == -2.0
    assert answer.dual_u[0] + answer.dual_v[0] == -2.0


def north_west_corner(a, b):
    """The arcs of the north-west corner plan of (a, b): a feasible support."""
    i = j = 0
    left_a, left_b = a[0], b[0]
    arcs = [(0, 0)]
    while i < a.size - 1 or j < b.size - 1:
        if (left_a <= left_b and i < a.size - 1) or j == b.size - 1:
            left_b -= left_a
            i += 1
            left_a = a[i]
        else:
            left_a -= left_b
            j += 1
            left_b = b[j]
        arcs.append((i, j))
    return np.array(arcs).T


def random_sparse_arcs(rng, a, b, density):
    """Random arcs plus the north-west corner support (so that they are feasible)."""
    keep = rng.random((a.size, b.size)) < density
    keep[tuple(north_west_corner(a, b))] = True
    rows, columns = np.nonzero(keep)
    return rows.astype(np.int64), columns.astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_sparse_arcs_agree_with_pot_sparse_solver(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(5, 60, 2)
    a, b = rng.random(n), rng.random(m)
    a, b = a / a.sum(), b / b.sum()
    rows, columns = random_sparse_arcs(rng, a, b, 0.2)
    costs = rng.random(rows.size) * 10
    flows = pot_sparse_flows(a, b, rows, columns, costs)
    answer = solve_arcs(a, b, rows, columns, costs)
    assert answer.cost == pytest.approx(float(flows @ costs), rel=1e-12)
    check_optimality(a, b, rows, columns, costs, answer)
    # Arc order does not matter.
    order = rng.permutation(rows.size)
    shuffled = solve_arcs(a, b, rows[order], columns[order], costs[order])
    assert shuffled.cost == pytest.approx(answer.cost, rel=1e-12)


def test_forbidden_arcs_match_a_dense_solve_at_huge_cost(rng):
    n, m = 25, 35
    a, b = rng.random(n), rng.random(m)
    a, b = a / a.sum(), b / b.sum()
    rows, columns = random_sparse_arcs(rng, a, b, 0.3)
    cost = rng.random((n, m))
    dense = np.full((n, m), 1e6)
    dense[rows, columns] = cost[rows, columns]
    answer = solve_arcs(a, b, rows, columns, cost[rows, columns])
    assert answer.cost == pytest.approx(float(ot.emd2(a, b, dense)), rel=1e-10)


@pytest.mark.parametrize("case", ["missing row", "missing column", "hall"])
def test_infeasible_arc_sets_raise(case):
    a = np.array([0.25, 0.25, 0.5])
    b = np.array([0.5, 0.25, 0.25])
    rows, columns = dense_arcs(3, 3)
    if case == "missing row":
        keep = rows != 1
    elif case == "missing column":
        keep = columns != 2
    else:  # rows 0 and 2 (mass 0.75) only reach column 0 (mass 0.5)
        keep = (rows == 1) | (columns == 0)
    with pytest.raises(SolverError, match="no feasible plan"):
        solve_arcs(a, b, rows[keep], columns[keep], np.ones(keep.sum()))


def test_pivot_limit_raises(rng):
    n = 30
    rows, columns = dense_arcs(n, n)
    with pytest.raises(SolverError, match="pivot limit"):
        solve_arcs(np.full(n, 1 / n), np.full(n, 1 / n), rows, columns, rng.random(n * n),
                   max_pivots=3)


def point_cloud_problem(rng, n, m):
    x, y = rng.random((n, 2)), rng.random((m, 2))
    a, b = rng.random(n) + 0.1, rng.random(m) + 0.1
    return a / a.sum(), b / b.sum(), ot.dist(x, y)


def test_warm_start_after_adding_arcs_equals_cold_solve(rng):
    n, m = 70, 50
    a, b, cost = point_cloud_problem(rng, n, m)
    rows, columns = random_sparse_arcs(rng, a, b, 0.1)
    first = solve_arcs(a, b, rows, columns, cost[rows, columns])
    # Column generation round: append arcs, drop some non-basic ones, shuffle.
    more_rows, more_columns = np.nonzero(rng.random((n, m)) < 0.3)
    all_rows = np.concatenate([rows, more_rows])
    all_columns = np.concatenate([columns, more_columns])
    basic = np.isin(all_rows * m + all_columns, first.basis.rows * m + first.basis.columns)
    keep = basic | (rng.random(all_rows.size) < 0.8)
    order = rng.permutation(np.flatnonzero(keep))
    all_rows, all_columns = all_rows[order], all_columns[order]
    costs = cost[all_rows, all_columns]
    cold = solve_arcs(a, b, all_rows, all_columns, costs)
    warm = solve_arcs(a, b, all_rows, all_columns, costs, basis=first.basis)
    assert warm.diagnostics["basis_arcs"] == first.basis.rows.size
    assert warm.diagnostics["basis_dropped"] == 0
    assert warm.cost == pytest.approx(cold.cost, rel=1e-12)
    assert warm.diagnostics["pivots"] < cold.diagnostics["pivots"]
    check_optimality(a, b, all_rows, all_columns, costs, warm)


def test_warm_start_from_the_optimal_basis_needs_no_pivot(rng):
    a, b, cost = point_cloud_problem(rng, 40, 30)
    rows, columns = dense_arcs(40, 30)
    first = solve_arcs(a, b, rows, columns, cost.ravel())
    again = solve_arcs(a, b, rows, columns, cost.ravel(), basis=first.basis)
    assert again.diagnostics["pivots"] == 0
    np.testing.assert_allclose(again.flows, first.flows, rtol=0, atol=1e-15)


def test_basis_from_a_plan_warm_starts(rng):
    n, m = 40, 30
    a, b, cost = point_cloud_problem(rng, n, m)
    rows, columns = dense_arcs(n, m)
    cold = solve_arcs(a, b, rows, columns, cost.ravel())
    plan = cold.flows > 0
    basis = Basis.from_plan(n, m, rows[plan], columns[plan], cold.flows[plan])
    warm = solve_arcs(a, b, rows, columns, cost.ravel(), basis=basis)
    assert warm.cost == pytest.approx(cold.cost, rel=1e-12)
    assert warm.diagnostics["pivots"] <= 5


def test_unfitting_basis_falls_back_to_a_correct_answer(rng):
    n, m = 40, 30
    a, b, cost = point_cloud_problem(rng, n, m)
    rows, columns = dense_arcs(n, m)
    # The optimal basis of other masses (a coarse-to-fine guess gone wrong), given with a
    # cycle and arcs missing from the list.
    other = solve_arcs(rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m)), rows, columns,
                       cost.ravel())
    guess = Basis.from_plan(n, m, np.concatenate([other.basis.rows, rows[:50]]),
                            np.concatenate([other.basis.columns, columns[:50]]))
    keep = rng.random(rows.size) < 0.9
    keep |= np.isin(rows * m + columns, other.basis.rows[:5] * m + other.basis.columns[:5])
    cold = solve_arcs(a, b, rows[keep], columns[keep], cost.ravel()[keep])
    warm = solve_arcs(a, b, rows[keep], columns[keep], cost.ravel()[keep], basis=guess)
    assert warm.diagnostics["basis_dropped"] > 0
    assert warm.cost == pytest.approx(cold.cost, rel=1e-12)
    check_optimality(a, b, rows[keep], columns[keep], cost.ravel()[keep], warm)


def test_basis_of_another_shape_is_refused():
    with pytest.raises(ValueError, match="basis is for a 2 x 3 problem"):
        solve_arcs(np.ones(1), np.ones(1), np.zeros(1, int), np.zeros(1, int), np.ones(1),
                   basis=Basis(2, 3, np.zeros(1, int), np.zeros(1, int)))


def test_basis_arrays_are_frozen(rng):
    answer = solve_arcs(np.ones(2) / 2, np.ones(2) / 2, *dense_arcs(2, 2), rng.random(4))
    with pytest.raises(ValueError):
        answer.basis.rows[0] = 1


def test_tiny_pivot_chunks_give_the_same_answer(rng, monkeypatch):
    a, b, cost = point_cloud_problem(rng, 30, 20)
    rows, columns = dense_arcs(30, 20)
    expected = solve_arcs(a, b, rows, columns, cost.ravel())
    monkeypatch.setattr(ns, "PIVOTS_PER_CALL", 1)
    chunked = solve_arcs(a, b, rows, columns, cost.ravel())
    assert chunked.cost == pytest.approx(expected.cost, rel=1e-14)
    assert chunked.diagnostics["pivots"] == expected.diagnostics["pivots"]


def test_interrupt_leaves_nothing_behind(rng, monkeypatch):
    a, b, cost = point_cloud_problem(rng, 30, 20)
    rows, columns = dense_arcs(30, 20)
    expected = solve_arcs(a, b, rows, columns, cost.ravel())
    refresh = kernels.refresh_potentials
    calls = []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return refresh(*args)

    monkeypatch.setattr(ns, "PIVOTS_PER_CALL", 2)
    monkeypatch.setattr(kernels, "refresh_potentials", interrupted)
    with pytest.raises(KeyboardInterrupt):
        solve_arcs(a, b, rows, columns, cost.ravel())
    monkeypatch.undo()
    again = solve_arcs(a, b, rows, columns, cost.ravel())
    np.testing.assert_array_equal(again.flows, expected.flows)
    assert again.cost == expected.cost


def test_compiled_kernels_agree_with_py_func(rng, monkeypatch):
    n, m = 6, 5
    a, b, cost = point_cloud_problem(rng, n, m)
    rows, columns = dense_arcs(n, m)
    some_rows, some_columns = random_sparse_arcs(rng, a, b, 0.3)
    start = solve_arcs(a, b, some_rows, some_columns, cost[some_rows, some_columns]).basis
    compiled = solve_arcs(a, b, rows, columns, cost.ravel(), basis=start)
    for name in ("match_arcs", "build_tree", "refresh_potentials", "find_entering",
                 "run_pivots", "_reroot", "smallest_reduced_cost"):
        monkeypatch.setattr(kernels, name, getattr(kernels, name).py_func)
    interpreted = solve_arcs(a, b, rows, columns, cost.ravel(), basis=start)
    np.testing.assert_array_equal(interpreted.flows, compiled.flows)
    np.testing.assert_array_equal(interpreted.dual_v, compiled.dual_v)
    assert interpreted.diagnostics["pivots"] == compiled.diagnostics["pivots"]


def check_tree(source, target, cost, state, parent, pred, pred_up, succ_num, last_succ,
               thread, rev_thread, pi):
    """The basis invariants the pivots maintain: one thread cycle (a preorder), parents
    and tree arcs that agree, subtree sizes and last nodes, tight tree arcs."""
    total = thread.size
    root = total - 1
    order = [root]
    for _ in range(total - 1):
        order.append(int(thread[order[-1]]))
    assert sorted(order) == list(range(total)) and thread[order[-1]] == root
    np.testing.assert_array_equal(rev_thread[thread], np.arange(total))
    position = np.empty(total, dtype=np.int64)
    position[order] = np.arange(total)
    size = np.ones(total, dtype=np.int64)
    for x in reversed(order[1:]):  # children come after their parent in a preorder
        assert position[parent[x]] < position[x]
        size[parent[x]] += size[x]
        e = pred[x]
        assert state[e] == 0
        assert (source[e], target[e]) == ((x, parent[x]) if pred_up[x] else (parent[x], x))
        reduced = cost[e] + pi[source[e]] - pi[target[e]]
        assert abs(reduced) <= 1e-9 * max(1.0, abs(pi[source[e]]), abs(pi[target[e]]))
    np.testing.assert_array_equal(succ_num, size)
    np.testing.assert_array_equal(position[last_succ], position + size - 1)
    assert abs(pi[root]) <= 1.0 + 1e-12  # the root's potential drifts by at most 1


@pytest.mark.parametrize("seed", range(8))
def test_every_pivot_keeps_the_tree_consistent(seed, monkeypatch):
    # The whole basis checked after every pivot (cold and warm starts, ties and zero
    # masses, so that both sides of the potential update are exercised); the potentials are
    # refreshed only every 50 pivots, so the root's may drift between refreshes.
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 25)), int(rng.integers(1, 25))
    a, b = rng.random(n), rng.random(m)
    a[rng.random(n) < 0.2] = 0.0
    a[0] += 0.1
    a, b = a / a.sum(), b / b.sum()
    cost = rng.integers(0, 4, (n, m)).astype(float) if seed % 2 else rng.random((n, m))
    rows, columns = dense_arcs(n, m)
    some_rows, some_columns = random_sparse_arcs(rng, a, b, 0.3)
    start = solve_arcs(a, b, some_rows, some_columns, cost[some_rows, some_columns]).basis
    pivot = kernels.run_pivots
    checked = []

    def checking(source, target, cost, flow, state, parent, pred, pred_up, succ_num,
                 last_succ, thread, rev_thread, pi, n_real, block_size, eps, max_pivots,
                 counters, work):
        for _ in range(max_pivots):
            status = pivot(source, target, cost, flow, state, parent, pred, pred_up,
                           succ_num, last_succ, thread, rev_thread, pi, n_real, block_size,
                           eps, 1, counters, work)
            check_tree(source, target, cost, state, parent, pred, pred_up, succ_num,
                       last_succ, thread, rev_thread, pi)
            checked.append(status)
            if status != kernels.PIVOT_LIMIT:
                return status
        return kernels.PIVOT_LIMIT

    monkeypatch.setattr(ns, "PIVOTS_PER_CALL", 50)
    monkeypatch.setattr(kernels, "run_pivots", checking)
    for basis in (None, start):
        answer = solve_arcs(a, b, rows, columns, cost.ravel(), basis=basis)
        check_optimality(a, b, rows, columns, cost.ravel(), answer)
    assert len(checked) > 10


def _random_problem(rng):
    """A small random problem of one of the adversarial kinds the engine must survive."""
    n, m = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    kind = rng.integers(5)
    a, b = rng.random(n), rng.random(m)
    a[rng.random(n) < 0.2] = 0.0  # zero masses
    b[rng.random(m) < 0.2] = 0.0
    a[0] += 0.1
    b[-1] += 0.1
    a, b = a / a.sum(), b / b.sum()
    if kind == 0:
        cost = rng.integers(0, 3, size=(n, m)).astype(float)  # many ties
    elif kind == 1:
        cost = 10.0 ** rng.uniform(-4, 4, size=(n, m))      # spanning 10^8
    elif kind == 2:
        cost = rng.normal(size=(n, m))                       # negative costs
    else:
        x = rng.normal(size=(n, 2))
        y = np.vstack([x[: min(n, m)], rng.normal(size=(m - min(n, m), 2))])  # duplicates
        cost = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)) ** (1 + kind % 2)
    return a, b * (a.sum() / b.sum()), cost


@pytest.mark.parametrize("count, seed", [(400, 1)])
def test_agrees_with_pot_on_many_random_problems(count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        a, b, cost = _random_problem(rng)
        rows, columns = dense_arcs(*cost.shape)
        answer = solve_arcs(a, b, rows, columns, cost.ravel())
        expected = reference_cost(a, b, cost)
        assert answer.cost == pytest.approx(expected, rel=1e-12, abs=1e-12 * np.abs(cost).max())


@pytest.mark.slow
def test_agrees_with_pot_on_thousands_of_random_problems():
    test_agrees_with_pot_on_many_random_problems(5000, 2)


def test_interrupted_sparse_solve_leaves_nothing_behind(monkeypatch):
    # A KeyboardInterrupt between two rounds of column generation; the next call is right.
    import otdiv
    from otdiv.exact import sparse

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + 0.5
    expected = otdiv.wasserstein(x, y, method="dense")
    calls = {"count": 0}
    original = sparse.solve_arcs

    def interrupting(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(sparse, "DENSE_LIMIT", 100)  # several scales, several solves
    monkeypatch.setattr(sparse, "solve_arcs", interrupting)
    with pytest.raises(KeyboardInterrupt):
        otdiv.wasserstein(x, y, method="sparse")
    monkeypatch.setattr(sparse, "solve_arcs", original)
    assert otdiv.wasserstein(x, y, method="sparse") == pytest.approx(expected, rel=1e-12)
