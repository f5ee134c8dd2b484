"""otdiv demo: writes a report, results and figures; every section runs in --quick mode."""

import json

import pytest

from otdiv.cli import main


def test_quick_demo_writes_report_results_and_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    status = main(["demo", "--out", str(out), "--quick", "--no-progress",
                   "--sections", "bakery", "distances", "divergences", "bias"])
    assert status == 0
    report = (out / "report.md").read_text()
    assert "64 min" in report and "Parallel lines" in report and "median of k/m" in report
    results = json.loads((out / "results.json").read_text())
    for row in results["distances"]["rows"]:
        if row["reference from"] in ("scipy", "POT ot.emd2", "dcor"):
            assert row["relative difference"] < 1e-9, row
    # Kernel compilation is its own stage, so no timing in the tables includes it.
    assert "energy, exact pairwise" in results["compile"]["groups"]
    assert "## 0. First calls: Numba kernels" in report and "Times are warm" in report
    assert (out / "plan_8gaussians_swissroll.png").stat().st_size > 1000
    assert (out / "bernoulli_gradients.png").stat().st_size > 1000
    assert "report in" in capsys.readouterr().out


@pytest.mark.slow
def test_quick_demo_with_every_section(tmp_path):
    pytest.importorskip("jax")
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quick", "--no-progress"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert {row["critic"] for row in results["critics"]["rows"]} == {"wgan-gp", "wgan-clip"}
    report = (out / "report.md").read_text()
    assert "passes** when its Lipschitz constant" in report  # the pass criterion is stated
