"""Bad input to the critic certificates: a clear error naming the argument."""

import numpy as np
import pytest

from otdiv import verify_critic

GOOD = np.array([0.0, 1.0, 2.0])


# --- critics: verify_critic ---------------------------------------------------------------



@pytest.mark.parametrize("critic, error, match", [
    (lambda x: np.full(len(x), np.nan), ValueError, "critic must return finite values"),
    (lambda x: np.zeros((len(x), 2)), ValueError, "critic must map an array of shape"),
    (lambda x: np.zeros(len(x) + 1), ValueError, "critic must map an array of shape"),
    (lambda x: ["a"] * len(x), TypeError, "critic must return real numbers"),
    (42, TypeError, "critic must be a callable"),
])
def test_bad_critics_are_refused(critic, error, match):
    with pytest.raises(error, match=match):
        verify_critic(critic, GOOD, GOOD + 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"u_values": np.zeros((3, 2)), "v_values": np.zeros((3, 3))},
     "u_values and v_values must have the same"),
    ({"u_values": [np.nan, 1.0], "v_values": GOOD}, "u_values must be finite"),
    ({"u_values": GOOD, "v_values": []}, "v_values must contain at least one sample"),
    ({"u_values": GOOD, "v_values": GOOD, "u_weights": [1, -1, 1]},
     "u_weights must be non-negative"),
    ({"u_values": GOOD, "v_values": GOOD, "tol": 1.5}, "tol must be"),
])
def test_bad_verify_critic_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        verify_critic(lambda x: x[:, 0], **kwargs)


@pytest.mark.parametrize("exact_value, error", [(np.nan, ValueError), (-np.inf, ValueError),
                                                ("0.5", TypeError)])
def test_verify_f_critic_refuses_a_bad_exact_value(exact_value, error):
    from otdiv import verify_f_critic
    with pytest.raises(error, match="exact_value"):
        verify_f_critic(lambda x: x, GOOD, GOOD, "kl", exact_value=exact_value)


def test_verify_f_critic_refuses_an_unknown_kind():
    from otdiv import verify_f_critic
    with pytest.raises(ValueError, match="kind"):
        verify_f_critic(lambda x: x, GOOD, GOOD, "wasserstein", exact_value=0.5)
