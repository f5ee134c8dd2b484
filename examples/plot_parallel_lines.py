"""
Parallel lines: why Wasserstein gives a gradient
================================================

:math:`P_0 = (0, Z)` and :math:`P_\\theta = (\\theta, Z)` with :math:`Z \\sim U[0, 1]`
(the lecture's example from the WGAN paper). Their exact divergences, from
:func:`otdiv.divergences.parallel_lines_divergences`: :math:`W_1 = |\\theta|` is continuous
in :math:`\\theta`; the Jensen–Shannon divergence and total variation jump at 0 and are
constant elsewhere; KL is :math:`+\\infty` for every :math:`\\theta \\ne 0`.
"""

import matplotlib.pyplot as plt

from otdiv.divergences import parallel_lines_divergences
from otdiv.divergences.figures import plot_parallel_lines

table = parallel_lines_divergences([0.0, 0.1, 0.5])
for k, theta in enumerate(table.theta):
    print(f"theta = {theta:<4g} W_1 = {table.wasserstein[k]:.4f}  "
          f"JSD = {table.jensen_shannon[k]:.4f}  TV = {table.total_variation[k]:g}  "
          f"KL = {table.kl[k]:g}")

figure = plot_parallel_lines(example_theta=0.5, n=150)
plt.show()
