"""Exact rescaling by powers of two, used wherever squares or powers could under/overflow."""

import math


def power_of_two_above(value: float) -> float:
    """The power of two ``2^e`` with ``value < 2^e <= 2 value`` (1 for 0).

    Dividing by it is exact in binary floating point. The exponent is capped at 1023
    (``2^1024`` is not a float), so for ``value >= 2^1023`` the quotient lies in [1, 2).
    """
    if value == 0.0:
        return 1.0
    return math.ldexp(1.0, min(math.frexp(value)[1], 1023))
