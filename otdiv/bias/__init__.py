"""The gradient-bias benchmark of the Cramér-distance paper (Bellemare et al., 2017).

Exact expected minibatch gradients against true gradients for Bernoulli targets
(:mod:`.bernoulli`) and categorical targets on {0, ..., K} (:mod:`.categorical`), minimisers
of the expected sample loss, and many-run SGD (:func:`bernoulli_sgd`, :func:`categorical_sgd`
in :mod:`.sgd`). Figures live in :mod:`otdiv.bias.figures` (matplotlib is imported only
there). Its argument checks live in :mod:`otdiv.bias._validation`, on the package-wide helpers
of :mod:`otdiv._validation`.
"""

from .bernoulli import (
                        bernoulli_expected_gradient,
                        bernoulli_gradient_bias,
                        bernoulli_sample_minimizer,
                        bernoulli_true_gradient,
                        binomial_pmf,
)
from .categorical import (
                        categorical_expected_gradient,
                        categorical_gradient_bias,
                        categorical_true_gradient,
                        tail_probabilities,
)
from .sgd import bernoulli_sgd, categorical_sgd

__all__ = [
    "bernoulli_expected_gradient",
    "bernoulli_gradient_bias",
    "bernoulli_sgd",
    "bernoulli_sample_minimizer",
    "bernoulli_true_gradient",
    "binomial_pmf",
    "categorical_expected_gradient",
    "categorical_sgd",
    "categorical_gradient_bias",
    "categorical_true_gradient",
    "tail_probabilities",
]
