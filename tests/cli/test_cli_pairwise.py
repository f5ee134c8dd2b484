"""``otdiv distance`` and ``otdiv pairwise``: the library's numbers, files out, and bad input
refused with exit 2 and one line naming the flag, before any work."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import otdiv
from otdiv.cli import main
from otdiv.distance_matrix import pairwise

ROOT = Path(__file__).resolve().parents[2]


def otdiv_command(*argv, cwd):
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", "import sys; from otdiv.cli import main; "
                           "sys.exit(main())", *argv], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def files(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    clouds = [rng.normal(k, size=(30 + 5 * k, 2)) for k in range(3)]
    for k, cloud in enumerate(clouds):
        np.save(tmp_path / f"cloud{k}.npy", cloud)
    line = rng.normal(size=40)
    np.save(tmp_path / "line.npy", line)
    np.savetxt(tmp_path / "line.csv", line + 1.0, delimiter=",")
    monkeypatch.chdir(tmp_path)
    return {"clouds": clouds, "line": line}


def test_distance_prints_the_library_value_as_json_by_subprocess(files, tmp_path):
    done = otdiv_command("distance", "cloud0.npy", "cloud1.npy", "--p", "2", "--json",
                         cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["value"] == otdiv.wasserstein(*files["clouds"][:2], p=2)
    assert payload["metric"] == "wasserstein" and payload["p"] == 2.0


def test_pairwise_bad_input_exits_2_with_one_line_by_subprocess(files, tmp_path):
    done = otdiv_command("pairwise", "cloud0.npy", "cloud1.npy", "--metric", "kl",
                         cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--metric" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("metric, extra, function", [
    ("cramer", ["--p", "2"], lambda u, v: otdiv.cramer_distance(u, v, p=2)),
    ("energy", [], lambda u, v: otdiv.energy_distance(u, v, method="exact")),
    ("sliced_energy", ["--seed", "4"],
     lambda u, v: otdiv.sliced_energy_distance(u, v, rng=4).value),
])
def test_distance_reads_npy_and_csv(files, capsys, metric, extra, function):
    assert main(["distance", "line.npy", "line.csv", "--metric", metric, "--json",
                 *extra]) == 0
    value = json.loads(capsys.readouterr().out)["value"]
    assert value == function(files["line"], np.loadtxt("line.csv", delimiter=","))


@pytest.mark.parametrize("metric, function", [
    ("wasserstein", otdiv.wasserstein),
    ("cramer", otdiv.cramer_distance),
    ("sliced_wasserstein", lambda u, v: otdiv.sliced_wasserstein(u, v, rng=4).value),
])
def test_without_p_each_metric_has_the_python_default(files, capsys, metric, function):
    # Issue 25: `--metric cramer` gave l_1 (= W_1) while otdiv.cramer_distance gives l_2.
    u, v = files["line"], np.loadtxt("line.csv", delimiter=",")
    seed = ["--seed", "4"] if metric.startswith("sliced") else []
    assert main(["distance", "line.npy", "line.csv", "--metric", metric, "--json",
                 *seed]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == function(u, v)
    assert payload["p"] == {"wasserstein": 1.0, "cramer": 2.0, "sliced_wasserstein": 2.0}[metric]
    if metric != "sliced_wasserstein":  # pairwise seeds each pair from --seed, not with it
        assert main(["pairwise", "line.npy", "line.csv", "--metric", metric, "--json",
                     "--no-progress"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["matrix"][0][1] == function(u, v)
        assert payload["options"]["p"] == pairwise([u, v], metric=metric,
                                                   progress=False).options["p"]


def test_p_is_refused_for_a_metric_without_an_order(files, capsys):
    assert main(["distance", "line.npy", "line.csv", "--metric", "energy", "--p", "1"]) == 2
    assert "--p applies to" in capsys.readouterr().err


def test_pairwise_writes_the_matrix_of_the_library(files, capsys, tmp_path):
    names = [f"cloud{k}.npy" for k in range(3)]
    assert main(["pairwise", *names, "--metric", "energy", "--out", "m.npy", "--json",
                 "--no-progress"]) == 0
    payload = json.loads(capsys.readouterr().out)
    expected = pairwise(files["clouds"], metric="energy", progress=False).matrix
    assert np.array_equal(np.load(tmp_path / "m.npy"), expected)
    assert np.array_equal(np.array(payload["matrix"]), expected)
    assert main(["pairwise", *names, "--out", "m.csv", "--workers", "2", "--no-progress"]) == 0
    summary = capsys.readouterr().out
    assert "wasserstein distances between 3 samples" in summary and "m.csv" in summary
    written = np.loadtxt(tmp_path / "m.csv", delimiter=",")
    assert np.array_equal(written, pairwise(files["clouds"], progress=False).matrix)


@pytest.mark.parametrize("argv, words", [
    (["distance", "line.npy", "missing.npy"], "no such file 'missing.npy'"),
    (["distance", "line.npy", "cloud0.npy"], "same dimension"),
    (["distance", "line.npy", "line.csv", "--metric", "kl"], "--metric must be one of"),
    (["distance", "line.npy", "line.csv", "--p", "0.5"], "--p must be >= 1"),
    (["distance", "line.npy", "line.csv", "--p", "two"], "--p must be a number"),
    (["distance", "line.npy", "line.csv", "--p", "nan"], "--p must be finite"),
    (["distance", "line.npy", "line.csv", "--metric", "energy", "--p", "2"], "--p applies"),
    (["distance", "line.npy", "line.csv", "--seed", "1"], "--seed applies"),
    (["distance", "line.npy", "line.csv", "--metric", "sliced_energy", "--n-projections",
      "1"], "--n-projections must be >= 2"),
    (["distance", "line.npy", "line.csv", "--metric", "sliced_energy", "--seed", "-3"],
     "--seed must be a non-negative"),
    (["pairwise", "line.npy", "--workers", "0"], "--workers must be a positive integer"),
    (["pairwise", "line.npy", "--workers", "x"], "--workers must be a positive integer"),
    (["pairwise", "line.npy", "--workers", "2", "--scheduler", "tcp://h:1"],
     "--workers and --scheduler"),
    (["pairwise", "line.npy", "--out", "m.txt"], "--out must end in .npy or .csv"),
    (["pairwise", "line.npy", "--out", "nowhere/m.npy"], "--out: no such directory"),
    (["pairwise", "line.npy", "cloud0.npy"], "samples[1]"),
    (["pairwise", "line.npy", "absent.csv"], "FILE 2: no such file"),
    (["pairwise", "cloud0.npy", "cloud1.npy", "--metric", "cramer"], "1-D samples"),
])
def test_bad_input_exits_2_with_one_line_naming_it(files, capsys, argv, words):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and words in captured.err, captured.err


# --- issue 26, items 4 and 5: --out is checked first, never an input, written exactly ----

@pytest.fixture
def no_matrix(monkeypatch):
    import otdiv.distance_matrix

    def forbidden(*args, **kwargs):
        raise AssertionError("the matrix was computed before --out was checked")

    monkeypatch.setattr(otdiv.distance_matrix, "pairwise", forbidden)


@pytest.mark.parametrize("out", ["cloud1.npy", "./cloud1.npy", "../{folder}/cloud1.npy",
                                 "link.npy"])
def test_out_that_is_an_input_is_refused_before_any_work(files, tmp_path, capsys, no_matrix,
                                                         out):
    os.symlink(tmp_path / "cloud1.npy", tmp_path / "link.npy")
    before = (tmp_path / "cloud1.npy").read_bytes()
    out = out.format(folder=tmp_path.name)
    assert main(["pairwise", "cloud0.npy", "cloud1.npy", "--out", out, "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "--out" in captured.err
    assert "is the input FILE 2" in captured.err, captured.err
    assert (tmp_path / "cloud1.npy").read_bytes() == before


@pytest.mark.parametrize("out, words", [
    ("/proc/m.npy", "cannot write in the folder '/proc'"),
    ("missing/m.npy", "no such directory 'missing'"),
    ("cloud0.npy/m.npy", "no such directory 'cloud0.npy' (it is a file)"),
    (".", "must end in .npy or .csv"),
    ("/dev/null.npy", "cannot write in the folder '/dev'"),
    ("/proc/m.npy", "cannot write in the folder '/proc'"),  # refuses new files, root or not
])
def test_out_that_cannot_be_written_is_refused_before_any_work(files, capsys, no_matrix,
                                                               out, words):
    if out.startswith("/dev") and os.access("/dev", os.W_OK):
        pytest.skip("/dev takes new files here (running as root)")
    assert main(["pairwise", "cloud0.npy", "cloud1.npy", "--out", out, "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and words in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_out_is_written_exactly_at_the_path_given_and_reported(files, capsys, tmp_path):
    assert main(["pairwise", "cloud0.npy", "cloud1.npy", "--out", "M.NPY", "--metric",
                 "energy", "--no-progress"]) == 0
    summary = capsys.readouterr().out
    assert summary.strip().endswith("matrix written to M.NPY")
    assert (tmp_path / "M.NPY").is_file() and not (tmp_path / "M.NPY.npy").exists()
    expected = pairwise(files["clouds"][:2], metric="energy", progress=False).matrix
    assert np.array_equal(np.load(tmp_path / "M.NPY"), expected)
    assert main(["pairwise", "cloud0.npy", "cloud1.npy", "--out", "M.CSV", "--metric",
                 "energy", "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["out"] == "M.CSV"
    assert np.array_equal(np.loadtxt(tmp_path / "M.CSV", delimiter=","), expected)


def test_failed_matrix_write_keeps_the_previous_out_file(files, capsys, tmp_path,
                                                         monkeypatch):
    (tmp_path / "m.npy").write_bytes(b"the previous matrix")

    def failing_save(handle, array):
        handle.write(b"\x93NUMPY half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", failing_save)
    assert main(["pairwise", "cloud0.npy", "cloud1.npy", "--out", "m.npy",
                 "--no-progress"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert (tmp_path / "m.npy").read_bytes() == b"the previous matrix"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []
