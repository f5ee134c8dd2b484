r"""Kernels of otdiv's network simplex for the transportation problem on an arc list.

The network has ``n`` source nodes ``0..n-1`` (supply :math:`a_i \ge 0`), ``m`` sink nodes
``n..n+m-1`` (supply :math:`-b_j \le 0`) and an artificial root ``n + m``. Real arcs
``0..A-1`` go from a source to a sink and are uncapacitated; arc ``A + x`` is the artificial
arc between node ``x`` and the root. Artificial arcs are only ever tree arcs: they are never
priced, so one that leaves the basis never comes back (as in LEMON's ``NetworkSimplex``).
An artificial arc points to the root (cost 0) when its node's component has a surplus and
from the root (cost ``art_cost``, the big M) when it has a deficit.

The basis is a spanning tree rooted at the root node, stored as in LEMON: ``parent``,
``pred`` (the tree arc to the parent), ``pred_up`` (1 when that arc points from the node to
its parent), the preorder ``thread`` with its inverse ``rev_thread`` (a cycle through all
nodes starting at the root), and for each node the size of its subtree ``succ_num`` and the
subtree's last node in the thread ``last_succ``. Potentials ``pi`` give the reduced cost
``cost[e] + pi[source[e]] - pi[target[e]]``, zero on tree arcs.

Pivoting follows LEMON: block search over the real arcs (the first block that holds an arc
with a negative reduced cost gives its most negative arc), the join node by subtree sizes
(an ancestor's is larger), the
leaving arc by the smallest flow among the arcs the cycle would decrease, ties broken by
the strongly feasible rule (the last blocking arc met when the cycle is walked in the
direction of the entering arc starting at the join node), which keeps the tree strongly
feasible and prevents cycling. The entering test is POT's relative one: an arc enters when
its reduced cost is below ``-eps * max(1, |cost|, |pi_source|, |pi_target|)``.

After a pivot the subtree cut off by the leaving arc is re-rooted at the entering arc's end
inside it and hung below the other end; its thread is rebuilt from the old one segment by
segment (no children lists), the subtree sizes and last nodes change only on the cycle and
on a chain of ancestors, so the tree update costs the cycle's length, not the subtree's
size. The potentials then move by the one amount that makes the entering arc tight: the
cut subtree's by ``+sigma``, or, when it holds more than half of the nodes, all the others
by ``-sigma`` (potentials are defined up to a constant; the root's may drift off 0 by at
most 1 this way). Either side is walked along the thread. On 2-D transport bases the cut
subtree averages thousands of nodes (a sixth of a 128² grid problem's), so this walk is
most of a pivot's time. The caller refreshes the potentials from the tree now and then
(:func:`refresh_potentials`) so that rounding does not accumulate.
"""

import numpy as np
from numba import njit

__all__ = ["match_arcs", "build_tree", "refresh_potentials", "smallest_reduced_cost",
           "run_pivots", "find_entering",
           "OPTIMAL", "PIVOT_LIMIT", "UNBOUNDED"]

OPTIMAL = 0
PIVOT_LIMIT = 1
UNBOUNDED = 2


@njit(cache=True)
def build_tree(n_nodes: int, supply: np.ndarray, source: np.ndarray, target: np.ndarray,
               cost: np.ndarray, n_real: int, tree_arcs: np.ndarray, roots: np.ndarray,
               art_cost: float, flow: np.ndarray, state: np.ndarray, parent: np.ndarray,
               pred: np.ndarray, pred_up: np.ndarray, succ_num: np.ndarray,
               last_succ: np.ndarray, thread: np.ndarray, rev_thread: np.ndarray,
               pi: np.ndarray) -> int:
    """Fill a strongly feasible start basis from candidate tree arcs, in place.

    ``n_nodes`` real nodes (the root is ``n_nodes``); ``supply`` (n_nodes,); ``source``,
    ``target``, ``cost`` and ``flow`` have ``n_real + n_nodes`` entries (the artificial
    arcs' entries are written here); ``tree_arcs`` holds indices of real arcs that form a
    forest (no cycle: the caller guarantees it). The forest's flows are the unique tree
    solution, each component's imbalance leaving through an artificial arc at its root (the
    first of its nodes listed in ``roots``, else its first node). Arcs whose flow would be
    negative, and arcs pointing away from the root that would carry nothing (they break
    strong feasibility), are dropped and the rest is solved again.
    An empty ``tree_arcs`` gives the all-artificial start basis. Returns the number of
    candidate arcs dropped.
    """
    root = n_nodes
    n_candidates = tree_arcs.size
    keep = np.ones(n_candidates, dtype=np.bool_)
    degree = np.zeros(n_nodes + 1, dtype=np.int64)
    neighbour_arc = np.empty(2 * n_candidates, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    stack = np.empty(n_nodes, dtype=np.int64)
    visited = np.zeros(n_nodes, dtype=np.bool_)
    subtotal = np.empty(n_nodes)
    candidate = np.empty(n_nodes, dtype=np.int64)  # which tree_arcs entry is a node's pred
    dropped = 0
    while True:
        # Adjacency of the kept forest (CSR: degree becomes the offsets).
        degree[:] = 0
        for k in range(n_candidates):
            if keep[k]:
                e = tree_arcs[k]
                degree[source[e] + 1] += 1
                degree[target[e] + 1] += 1
        for x in range(n_nodes):
            degree[x + 1] += degree[x]
        fill = degree[:n_nodes].copy()
        for k in range(n_candidates):
            if keep[k]:
                e = tree_arcs[k]
                neighbour_arc[fill[source[e]]] = k
                fill[source[e]] += 1
                neighbour_arc[fill[target[e]]] = k
                fill[target[e]] += 1
        # Depth-first preorder of every component, hung below the root at the node given
        # in ``roots`` (where the basis's component hung when it was optimal), else at its
        # first node.
        visited[:] = False
        count = 0
        for slot in range(roots.size + n_nodes):
            start = roots[slot] if slot < roots.size else slot - roots.size
            if visited[start]:
                continue
            visited[start] = True
            parent[start] = root
            stack[0] = start
            top = 1
            while top > 0:
                top -= 1
                x = stack[top]
                order[count] = x
                count += 1
                for slot in range(degree[x], degree[x + 1]):
                    e = tree_arcs[neighbour_arc[slot]]
                    y = target[e] if source[e] == x else source[e]
                    if not visited[y]:
                        visited[y] = True
                        parent[y] = x
                        pred[y] = e
                        candidate[y] = neighbour_arc[slot]
                        pred_up[y] = 1 if source[e] == y else 0
                        stack[top] = y
                        top += 1
        # Tree solution: what a subtree must send to (or receive from) its parent.
        for x in range(n_nodes):
            subtotal[x] = supply[x]
        for position in range(n_nodes - 1, -1, -1):
            x = order[position]
            if parent[x] != root:
                subtotal[parent[x]] += subtotal[x]
        bad = 0
        for position in range(n_nodes):
            x = order[position]
            if parent[x] == root:
                continue
            e = pred[x]
            if pred_up[x] == 1:
                flow[e] = subtotal[x]
            else:
                flow[e] = -subtotal[x]
            if flow[e] < 0.0 or (pred_up[x] == 0 and flow[e] <= 0.0):
                bad += 1
                keep[candidate[x]] = False
                flow[e] = 0.0
        if bad == 0:
            break
        dropped += bad
    # Artificial arcs, states, thread, subtree sizes and potentials.
    for e in range(n_real):
        state[e] = 1
    for x in range(n_nodes):
        if parent[x] != root:
            state[pred[x]] = 0  # arcs closing a cycle in the candidates stay non-basic
    for x in range(n_nodes):
        e = n_real + x
        state[e] = 1
        flow[e] = 0.0
        source[e] = x
        target[e] = root
        cost[e] = 0.0
    parent[root] = -1
    pred[root] = -1
    pi[root] = 0.0
    previous = root
    for position in range(n_nodes):
        x = order[position]
        thread[previous] = x
        rev_thread[x] = previous
        previous = x
        if parent[x] == root:
            e = n_real + x
            pred[x] = e
            state[e] = 0
            if subtotal[x] >= 0.0:
                pred_up[x] = 1
                flow[e] = subtotal[x]
            else:
                pred_up[x] = 0
                source[e] = root
                target[e] = x
                cost[e] = art_cost
                flow[e] = -subtotal[x]
        p = parent[x]
        if pred_up[x] == 1:
            pi[x] = pi[p] - cost[pred[x]]
        else:
            pi[x] = pi[p] + cost[pred[x]]
    thread[previous] = root
    rev_thread[root] = previous
    # Subtree sizes (children after their parent in the preorder) and last nodes.
    succ_num[root] = n_nodes + 1
    last_succ[root] = order[n_nodes - 1]
    for x in range(n_nodes):
        succ_num[x] = 1
    for position in range(n_nodes - 1, -1, -1):
        x = order[position]
        if parent[x] != root:
            succ_num[parent[x]] += succ_num[x]
    for position in range(n_nodes):
        x = order[position]
        last_succ[x] = order[position + succ_num[x] - 1]
    return dropped


@njit(cache=True)
def refresh_potentials(cost: np.ndarray, parent: np.ndarray, pred: np.ndarray,
                       pred_up: np.ndarray, thread: np.ndarray, pi: np.ndarray) -> None:
    """Recompute every potential from its parent's along the thread (no drift), in place."""
    root = thread.size - 1
    pi[root] = 0.0
    x = thread[root]
    while x != root:
        if pred_up[x] == 1:
            pi[x] = pi[parent[x]] - cost[pred[x]]
        else:
            pi[x] = pi[parent[x]] + cost[pred[x]]
        x = thread[x]


@njit(cache=True)
def smallest_reduced_cost(source: np.ndarray, target: np.ndarray, cost: np.ndarray,
                          pi: np.ndarray, n_real: int) -> float:
    """``min_e cost[e] + pi[source[e]] - pi[target[e]]`` over the real arcs (0 for none)."""
    smallest = 0.0
    for e in range(n_real):
        reduced = cost[e] + pi[source[e]] - pi[target[e]]
        if reduced < smallest:
            smallest = reduced
    return smallest


@njit(cache=True)
def find_entering(source: np.ndarray, target: np.ndarray, cost: np.ndarray, state: np.ndarray,
                  pi: np.ndarray, n_real: int, block_size: int, next_arc: int,
                  eps: float) -> tuple[int, int]:
    """LEMON's block search: the most negative arc of the first block that has one.

    Blocks of ``block_size`` arcs are scanned cyclically from ``next_arc``. Returns
    ``(arc, next_arc)``, ``arc = -1`` when no arc has a reduced cost below the tolerance
    (the basis is optimal).
    """
    best = 0.0
    chosen = -1
    remaining = block_size
    e = next_arc
    left = n_real
    while left > 0:
        length = min(remaining, n_real - e, left)
        for f in range(e, e + length):  # no wrap-around inside: a tight loop
            reduced = cost[f] + pi[source[f]] - pi[target[f]]
            if reduced < best and state[f] != 0:  # (faster than multiplying by the state)
                best = reduced
                chosen = f
        e += length
        left -= length
        remaining -= length
        if e == n_real:
            e = 0
        if remaining == 0 or left == 0:
            if chosen >= 0:
                scale = max(1.0, abs(cost[chosen]), abs(pi[source[chosen]]),
                            abs(pi[target[chosen]]))
                if best < -eps * scale:
                    return chosen, e
            remaining = block_size
    return -1, e


@njit(cache=True)
def run_pivots(source: np.ndarray, target: np.ndarray, cost: np.ndarray, flow: np.ndarray,
               state: np.ndarray, parent: np.ndarray, pred: np.ndarray, pred_up: np.ndarray,
               succ_num: np.ndarray, last_succ: np.ndarray, thread: np.ndarray,
               rev_thread: np.ndarray, pi: np.ndarray, n_real: int, block_size: int,
               eps: float, max_pivots: int, counters: np.ndarray, work: np.ndarray) -> int:
    """At most ``max_pivots`` pivots from the current basis, in place.

    ``counters`` (2,) int64 holds the block search's next arc and the total pivot count;
    ``work`` (4, n_nodes + 1) int64 is scratch space. Returns ``OPTIMAL``, ``PIVOT_LIMIT``
    (the budget of this call is spent; call again to continue) or ``UNBOUNDED``.
    """
    path = work[0]  # path nodes u_in = p_0, ..., p_k = u_out
    ends = work[1]  # last node of the old subtree of each path node
    segment = work[2]  # rebuilt-thread scratch: a_end of each path node
    starts = work[3]  # rebuilt-thread scratch: b_start of each path node
    next_arc = counters[0]
    for _ in range(max_pivots):
        in_arc, next_arc = find_entering(source, target, cost, state, pi, n_real, block_size,
                                         next_arc, eps)
        if in_arc < 0:
            counters[0] = next_arc
            return OPTIMAL
        first = source[in_arc]
        second = target[in_arc]
        # Join node (the apex of the cycle) and leaving arc in one climb: a node's ancestors
        # have larger subtrees, so the side with the smaller subtree climbs. The leaving
        # arc has the smallest flow among the arcs the cycle decreases; of equal ones the
        # last met walking the cycle in the entering arc's direction from the join: the one
        # nearest `first` on its side, else the one nearest the join on `second`'s side.
        u = first
        v = second
        delta_first = np.inf
        out_first = -1
        delta_second = np.inf
        out_second = -1
        while u != v:
            if succ_num[u] < succ_num[v]:
                if pred_up[u] == 1:
                    d = flow[pred[u]]
                    if d < delta_first:
                        delta_first = d
                        out_first = u
                u = parent[u]
            else:
                if pred_up[v] == 0:
                    d = flow[pred[v]]
                    if d <= delta_second:
                        delta_second = d
                        out_second = v
                v = parent[v]
        join = u
        if out_second >= 0 and delta_second <= delta_first:
            delta = delta_second
            u_out = out_second
            side = 2
        elif out_first >= 0:
            delta = delta_first
            u_out = out_first
            side = 1
        else:
            counters[0] = next_arc
            return UNBOUNDED
        # Augment.
        if delta > 0.0:
            flow[in_arc] += delta
            x = first
            while x != join:
                if pred_up[x] == 1:
                    flow[pred[x]] -= delta
                else:
                    flow[pred[x]] += delta
                x = parent[x]
            x = second
            while x != join:
                if pred_up[x] == 1:
                    flow[pred[x]] += delta
                else:
                    flow[pred[x]] -= delta
                x = parent[x]
        if side == 1:
            u_in = first
            v_in = second
        else:
            u_in = second
            v_in = first
        state[pred[u_out]] = 1
        state[in_arc] = 0
        _reroot(u_in, v_in, u_out, in_arc, join, source, cost, parent, pred, pred_up,
                succ_num, last_succ, thread, rev_thread, pi, path, ends, segment, starts)
        counters[1] += 1
    counters[0] = next_arc
    return PIVOT_LIMIT


@njit(cache=True)
def _reroot(u_in: int, v_in: int, u_out: int, in_arc: int, join: int, source: np.ndarray,
            cost: np.ndarray, parent: np.ndarray, pred: np.ndarray, pred_up: np.ndarray,
            succ_num: np.ndarray, last_succ: np.ndarray, thread: np.ndarray,
            rev_thread: np.ndarray, pi: np.ndarray, path: np.ndarray, ends: np.ndarray,
            segment: np.ndarray, starts: np.ndarray) -> None:
    """Cut the subtree below ``u_out``, re-root it at ``u_in`` and hang it below ``v_in``."""
    # Path u_in = p_0, ..., p_k = u_out in the old tree, and where each p_i's subtree ends.
    k = 0
    x = u_in
    path[0] = x
    ends[0] = last_succ[x]
    while x != u_out:
        x = parent[x]
        k += 1
        path[k] = x
        ends[k] = last_succ[x]
    size = succ_num[u_out]
    old_parent = parent[u_out]
    old_last = ends[k]
    if source[in_arc] == u_in:
        sigma = pi[v_in] - cost[in_arc] - pi[u_in]
    else:
        sigma = pi[v_in] + cost[in_arc] - pi[u_in]
    # Old links needed below, read before anything is rewritten.
    for i in range(1, k + 1):
        segment[i] = rev_thread[path[i - 1]]  # end of the part of S_i before p_{i-1}
        starts[i] = thread[ends[i - 1]]  # start of the part after it (if ends differ)
    # Unlink the old subtree from the thread.
    before = rev_thread[u_out]
    after_subtree = thread[old_last]
    thread[before] = after_subtree
    rev_thread[after_subtree] = before
    # New preorder: S_0 S_1 ... S_k with S_i = subtree(p_i) minus subtree(p_{i-1}).
    tail = ends[0]
    for i in range(1, k + 1):
        p = path[i]
        a_end = segment[i]
        b_start = starts[i]
        thread[tail] = p
        rev_thread[p] = tail
        if ends[i - 1] != ends[i]:
            thread[a_end] = b_start
            rev_thread[b_start] = a_end
            tail = ends[i]
        else:
            tail = a_end
    following = thread[v_in]
    thread[v_in] = u_in
    rev_thread[u_in] = v_in
    thread[tail] = following
    rev_thread[following] = tail
    new_last = tail
    # Reverse the path's parent links, then hang p_0 below v_in. p_i's new subtree is
    # S_i ... S_k: the whole cut subtree less p_{i-1}'s old subtree, ending at new_last.
    for i in range(k, 0, -1):
        p = path[i]
        child = path[i - 1]
        parent[p] = child
        pred[p] = pred[child]
        pred_up[p] = 1 - pred_up[child]
        succ_num[p] = size - succ_num[child]
        last_succ[p] = new_last
    parent[u_in] = v_in
    pred[u_in] = in_arc
    pred_up[u_in] = 1 if source[in_arc] == u_in else 0
    succ_num[u_in] = size
    last_succ[u_in] = new_last
    # Off the cut subtree only the cycle's two sides below the join change size, and only
    # the ancestors whose subtree ended where the moved part did change their last node.
    x = old_parent
    while x != join:
        succ_num[x] -= size
        x = parent[x]
    x = v_in
    while x != join:
        succ_num[x] += size
        x = parent[x]
    x = old_parent
    while x >= 0 and last_succ[x] == old_last:
        last_succ[x] = before
        x = parent[x]
    x = v_in
    while x >= 0 and last_succ[x] == v_in:
        last_succ[x] = new_last
        x = parent[x]
    # Potentials: the smaller side moves (the root's side only while the root's potential,
    # 0 after a refresh, stays within 1 of 0).
    total = thread.size
    root = total - 1
    if 2 * size <= total or abs(pi[root] - sigma) > 1.0:
        x = u_in
        for _ in range(size):
            pi[x] += sigma
            x = thread[x]
    else:
        x = thread[new_last]
        for _ in range(total - size):
            pi[x] -= sigma
            x = thread[x]


@njit(cache=True)
def match_arcs(rows: np.ndarray, columns: np.ndarray, n: int, basis_rows: np.ndarray,
               basis_columns: np.ndarray) -> np.ndarray:
    """Indices in the arc list ``(rows, columns)`` of the arcs ``(basis_rows, basis_columns)``.

    One pass over the arc list (no sort of it): the basis arcs are grouped by row and each
    arc's column is looked up among its row's basis columns by bisection. A basis arc that
    is absent from the list is left out; of duplicated arcs the first is used. Returns an
    int64 array of arc indices (in no particular order).
    """
    n_basis = basis_rows.size
    offsets = np.zeros(n + 1, dtype=np.int64)
    for k in range(n_basis):
        offsets[basis_rows[k] + 1] += 1
    for i in range(n):
        offsets[i + 1] += offsets[i]
    fill = offsets[:n].copy()
    grouped = np.empty(n_basis, dtype=np.int64)
    for k in range(n_basis):
        grouped[fill[basis_rows[k]]] = basis_columns[k]
        fill[basis_rows[k]] += 1
    for i in range(n):
        grouped[offsets[i]:offsets[i + 1]] = np.sort(grouped[offsets[i]:offsets[i + 1]])
    found = np.zeros(n_basis, dtype=np.bool_)
    matched = np.empty(n_basis, dtype=np.int64)
    count = 0
    for e in range(rows.size):
        i = rows[e]
        low = offsets[i]
        high = offsets[i + 1]
        if low == high:
            continue
        column = columns[e]
        while low < high:
            middle = (low + high) // 2
            if grouped[middle] < column:
                low = middle + 1
            else:
                high = middle
        if low < offsets[i + 1] and grouped[low] == column and not found[low]:
            found[low] = True
            matched[count] = e
            count += 1
    return matched[:count]
