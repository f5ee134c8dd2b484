"""
Biased minibatch gradients of W_1, unbiased ones of the Cramér distance
=======================================================================

A model :math:`\\mathrm{Ber}(\\theta)` fitted to a target :math:`\\mathrm{Ber}(p)` from
minibatches of m target samples: the expected gradient of the sample :math:`W_1` loss
(:func:`otdiv.bias.bernoulli_expected_gradient`, exact, summed over the m + 1 outcomes)
vanishes at a median of k/m, not at p; the Cramér distance's expected gradient is the
true one for every m (the Cramér paper's argument).
"""

import matplotlib.pyplot as plt

from otdiv.bias import bernoulli_sample_minimizer
from otdiv.bias.figures import plot_expected_gradients

for m in (1, 2, 5, 10):
    w1 = bernoulli_sample_minimizer(0.6, m, distance="wasserstein")
    cramer = bernoulli_sample_minimizer(0.6, m, distance="cramer")
    print(f"m = {m:>2}: W_1 minimiser in [{w1.lower:.3g}, {w1.upper:.3g}], "
          f"Cramér minimiser {cramer.midpoint:.6g}")

figure = plot_expected_gradients(p_values=(0.6, 0.9), m_values=(1, 2, 5, 10), n_theta=201)
plt.show()
