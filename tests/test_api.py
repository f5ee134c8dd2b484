"""The public API's shape: what is exported, and the conventions every signature follows."""

import inspect

import pytest

import otdiv

EXPORTED = {
    # exact ground truth
    "solve_assignment", "brute_force_assignment", "solve_kantorovich", "SolverError",
    "AssignmentResult", "TransportResult",
    # distances between samples
    "wasserstein", "wasserstein_1d", "transport", "displacement_interpolation", "Grid",
    "EmpiricalMeasure", "cramer_distance", "energy_distance", "sliced_energy_distance",
    "sliced_wasserstein", "Estimate", "pairwise", "PairwiseResult",
    # f-divergences
    "F_DIVERGENCES", "FDivergence", "f_divergence", "f_divergence_density",
    "gaussian_f_divergence", "variational_bound", "VariationalBoundResult",
    "parallel_lines_divergences", "ParallelLinesDivergences", "noise_bound",
    "NoiseBoundResult",
    # critics
    "verify_critic", "CriticReport", "verify_f_critic", "FCriticReport",
    "kantorovich_potential", "KantorovichPotential",
    # gradient bias
    "bernoulli_expected_gradient", "bernoulli_true_gradient", "bernoulli_gradient_bias",
    "bernoulli_sample_minimizer", "categorical_expected_gradient",
    "categorical_true_gradient", "categorical_gradient_bias", "bernoulli_sgd",
    "categorical_sgd", "GradientEstimate", "MinimizerInterval", "SGDResult",
}

SAMPLE_ARGUMENTS = ["u_values", "v_values", "u_weights", "v_weights"]


def _public_functions():
    return [getattr(otdiv, name) for name in sorted(otdiv.__all__)
            if inspect.isfunction(getattr(otdiv, name))]


def test_all_is_pinned_and_every_name_exists():
    assert set(otdiv.__all__) == EXPORTED
    assert len(otdiv.__all__) == len(EXPORTED)  # no duplicates
    for name in otdiv.__all__:
        assert hasattr(otdiv, name), name


def test_result_types_live_in_their_domains_results_module():
    for name in otdiv.__all__:
        value = getattr(otdiv, name)
        if inspect.isclass(value) and name.endswith(("Result", "Report", "Estimate",
                                                      "Interval", "Potential", "Measure")):
            assert value.__module__ in ("otdiv.exact.results", "otdiv.bias.results",
                                        "otdiv.divergences.results",
                                        "otdiv._sample_results"), name


@pytest.mark.parametrize("function", _public_functions(), ids=lambda f: f.__name__)
def test_sample_arguments_follow_scipy_and_options_are_keyword_only(function):
    parameters = list(inspect.signature(function).parameters.values())
    names = [parameter.name for parameter in parameters]
    if "u_values" not in names:
        return
    start = names.index("u_values")
    assert names[start:start + 2] == SAMPLE_ARGUMENTS[:2], function.__name__
    # Weights right after the values, positionally, when the function takes weights at all
    # (displacement_interpolation keeps them keyword-only behind its time t).
    if "u_weights" in names and names[start + 2] == "u_weights":
        assert names[start:start + 4] == SAMPLE_ARGUMENTS
        rest = parameters[start + 4:]
    else:
        rest = parameters[start + 2:]
    for parameter in rest:
        if parameter.name in ("t", "kind"):  # the time of an interpolation; a divergence
            continue
        assert parameter.kind in (inspect.Parameter.KEYWORD_ONLY,
                                  inspect.Parameter.VAR_KEYWORD), (function.__name__,
                                                                   parameter.name)


@pytest.mark.parametrize("function", _public_functions(), ids=lambda f: f.__name__)
def test_kind_comes_right_after_the_data_with_a_default(function):
    parameters = inspect.signature(function).parameters
    if "kind" not in parameters:
        return
    kind = parameters["kind"]
    assert kind.default == "kl", function.__name__
    names = list(parameters)
    assert names.index("kind") <= 4, function.__name__


@pytest.mark.parametrize("function", _public_functions(), ids=lambda f: f.__name__)
def test_public_functions_have_type_hints_and_docstring_examples(function):
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty, function.__name__
    assert "Examples" in (function.__doc__ or ""), function.__name__


def test_estimators_return_their_standard_error():
    x = [[0.0, 0.0], [1.0, 0.0]]
    y = [[0.0, 1.0], [1.0, 1.0]]
    for estimate in (otdiv.sliced_wasserstein(x, y, rng=0),
                     otdiv.sliced_energy_distance(x, y, rng=0)):
        assert isinstance(estimate, otdiv.Estimate)
        assert estimate.standard_error >= 0.0


def test_version_has_one_source():
    from importlib.metadata import version
    assert otdiv.__version__ == version("otdiv")


def test_package_is_typed():
    from importlib.resources import files
    assert files("otdiv").joinpath("py.typed").is_file()
