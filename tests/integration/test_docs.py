"""The documentation site builds with warnings as errors (a broken docstring fails here).

Builds the whole site (API reference from the numpydoc docstrings, one page per function,
CLI reference, the examples gallery, whose scripts run during the build, the notebooks as
committed, benchmark tables) into a temporary folder, as ``make docs`` does. About 20-40 s
on two cores.
"""

import subprocess
import sys
from pathlib import Path

import sphinx  # noqa: F401  (test dependency: missing it must fail, not skip)

ROOT = Path(__file__).resolve().parents[2]


def test_documentation_builds_without_warnings(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr[-5000:]
    html = tmp_path / "html"
    api = (html / "_generated" / "api.html").read_text()
    assert "autosummary" in api  # one summary table per group
    # one page per public function or class, linked from the summary tables
    import otdiv
    for name in otdiv.__all__:
        page = html / "_generated" / "api" / f"otdiv.{name}.html"
        assert page.exists(), name
        assert f'href="api/otdiv.{name}.html' in api, name
    verify = (html / "_generated" / "api" / "otdiv.verify_critic.html").read_text()
    assert "Parameters" in verify and "Returns" in verify
    assert (html / "_generated" / "api" / "otdiv.plotting.plot_plan.html").exists()
    for name in ("TrainedCritic", "TrainedGan"):  # not in otdiv.__all__: documented here
        assert (html / "_generated" / "api" / f"otdiv.gan.results.{name}.html").exists()
    # the examples gallery: every examples/plot_*.py run, with its output and figures
    gallery = html / "_generated" / "gallery"
    scripts = sorted((ROOT / "examples").glob("plot_*.py"))
    assert scripts
    index = (gallery / "index.html").read_text()
    for script in scripts:
        page = (gallery / f"{script.stem}.html").read_text()
        assert f"sphx_glr_{script.stem}_001.png" in page, script.name  # a figure
        assert f"{script.stem}.html" in index
    assert "W_1 = " in (gallery / "plot_optimal_plan.html").read_text()  # printed output
    for page in ("install", "getting_started", "guide", "conventions", "benchmarks",
                 "changelog", "citing"):
        assert (html / f"{page}.html").exists(), page
    conventions = (html / "conventions.html").read_text()
    for library in ("scipy", "POT", "ott-jax", "geomloss", "dcor"):
        assert library in conventions, library
    assert "--runs" in (html / "cli.html").read_text()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (html / "_generated" / "notebooks" / f"{notebook.stem}.html").exists()
