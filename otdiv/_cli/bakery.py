"""``otdiv bakery``: the lecture's bakery problem, Monge and Kantorovich, with prices."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from . import add_common_options


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bakery", help="solve the lecture's bakery problem exactly",
        description="Optimal assignment of six bakeries to six cafés (the lecture's cost "
                    "matrix), the Kantorovich plan with unit masses, and the dual prices.")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def bakery_report() -> tuple[str, dict]:
    """Solve the bakery problem; return the readable summary and a JSON payload."""
    from ..datasets import bakery
    from ..exact import brute_force_assignment, solve_assignment, solve_kantorovich

    problem = bakery()
    cost = problem.cost
    assignment = solve_assignment(cost)
    oracle = brute_force_assignment(cost)
    units = np.ones(cost.shape[0])
    plan = solve_kantorovich(units, units, cost)
    # Shipper's reading of the dual: buy bread at bakery i for -u_i, sell at café j for
    # v_j; u_i + v_j <= c_ij means nobody gains by carrying bread themselves. Shift so the
    # cheapest bakery sells at 0 (the potentials are defined up to a constant).
    shift = float(plan.dual_u.max())
    bakery_prices = shift - plan.dual_u
    cafe_prices = plan.dual_v + shift
    routes = [f"{problem.bakeries[i]}->{problem.cafes[j]} ({cost[i, j]:g})"
              for i, j in enumerate(assignment.permutation)]
    difference = problem.slide_price - assignment.cost
    lines = [
        "The bakery problem (lecture, after G. Peyré): 6 bakeries, 6 cafés, minutes per delivery",
        "",
        f"Optimal assignment (Monge, Hungarian): {assignment.cost:g} min",
        "  " + ", ".join(routes),
        f"  brute force over 6! = 720 assignments agrees: {oracle.cost:g} min",
        f"The slide's assignment costs {problem.slide_price:g} min: "
        + ("optimal." if difference == 0 else
           f"feasible but {difference:g} min more than the optimum."),
        "",
        f"Kantorovich plan with one unit of bread per bakery and café: {plan.cost:g} min "
        f"(duality gap {plan.duality_gap:.1e}); it is a permutation matrix:",
    ]
    for i, row in enumerate(plan.plan):
        lines.append(f"  {problem.bakeries[i]}: " + " ".join(f"{x:4g}" for x in row))
    lines += [
        "",
        "Dual prices (one optimal set; a shipper buys bread at the bakery and sells it at the "
        "café, and no price pair exceeds the delivery time):",
        "  bakery sells at: " + ", ".join(
            f"{name}={price:g}" for name, price in zip(problem.bakeries, bakery_prices)),
        "  café buys at:    " + ", ".join(
            f"{name}={price:g}" for name, price in zip(problem.cafes, cafe_prices)),
        f"  shipper's profit = sum(café prices) - sum(bakery prices) = "
        f"{cafe_prices.sum() - bakery_prices.sum():g} min = the optimal cost",
    ]
    payload = {
        "optimal_cost": assignment.cost,
        "permutation": assignment.permutation,
        "brute_force_cost": oracle.cost,
        "slide_price": problem.slide_price,
        "slide_permutation": problem.slide_permutation,
        "kantorovich_cost": plan.cost,
        "plan": plan.plan,
        "bakery_prices": bakery_prices,
        "cafe_prices": cafe_prices,
    }
    return "\n".join(lines), payload


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    return bakery_report()
