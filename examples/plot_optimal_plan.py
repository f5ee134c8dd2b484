"""
Exact optimal transport between two point clouds
================================================

:func:`otdiv.transport` solves the exact linear program between two weighted samples and
returns the plan, the dual potentials and the certified duality gap;
:func:`otdiv.wasserstein` returns :math:`W_p` itself (not :math:`W_p^p`).
"""

import matplotlib.pyplot as plt
import numpy as np

import otdiv
from otdiv.plotting import plot_plan

rng = np.random.default_rng(5)
u = rng.normal([0.0, 0.0], 0.5, size=(7, 2))   # 7 points of P, mass 1/7 each
v = rng.normal([2.0, 1.0], 0.7, size=(9, 2))   # 9 points of Q, mass 1/9 each

result = otdiv.transport(u, v)                  # p = 1: result.cost is W_1
print(f"W_1 = {result.cost:.6f} (certified gap {result.duality_gap:.1e})")
print(f"wasserstein(u, v) = {otdiv.wasserstein(u, v):.6f}")
print(f"W_2 = {otdiv.wasserstein(u, v, p=2):.6f}")

# %%
# The plan moves mass along the segments; with unequal point counts the masses differ,
# so the segment widths show how much each one carries.

figure = plot_plan(u, v, result.plan, labels=("P (7 points)", "Q (9 points)"),
                   title=f"optimal W_1 plan: W_1 = {result.cost:.4f}")
plt.show()
