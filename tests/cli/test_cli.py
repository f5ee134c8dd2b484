"""The otdiv command: readable output, --json, exit statuses 0 / 1 / 2."""

import json
import subprocess
import sys

import numpy as np
import pytest

from otdiv.cli import main


def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exit_info:  # argparse refusing a flag's value
        status = exit_info.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_no_command_prints_help_and_exits_2(capsys):
    status, out, _ = run(capsys)
    assert status == 2 and "usage: otdiv" in out


def test_unknown_command_is_bad_usage(capsys):
    assert main(["no-such-command"]) == 2


def test_bakery_reports_64_and_the_slides_65(capsys):
    status, out, _ = run(capsys, "bakery")
    assert status == 0
    assert "64 min" in out and "65 min" in out and "1 min more" in out
    status, out, _ = run(capsys, "bakery", "--json")
    payload = json.loads(out)
    assert payload["optimal_cost"] == 64.0 and payload["slide_price"] == 65.0
    assert sum(payload["cafe_prices"]) - sum(payload["bakery_prices"]) == pytest.approx(64.0)


@pytest.fixture
def sample_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    q = rng.normal(size=100)
    np.save(tmp_path / "q.npy", q)
    np.save(tmp_path / "p.npy", q + 1.0)
    np.savetxt(tmp_path / "p.csv", q + 1.0, delimiter=",")
    (tmp_path / "critics_for_test.py").write_text(
        "def identity(x):\n    return x[:, 0]\n\ndef doubled(x):\n    return 2 * x[:, 0]\n")
    np.save(tmp_path / "objects.npy", np.array([object()]), allow_pickle=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_verify_passes_with_exit_0_for_an_optimal_critic(capsys, sample_files):
    status, out, _ = run(capsys, "verify", "--critic", "critics_for_test:identity",
                         "--samples-p", "p.csv", "--samples-q", "q.npy", "--json")
    payload = json.loads(out)
    assert status == 0 and payload["passed"]
    assert payload["exact_w1"] == pytest.approx(1.0)


def test_verify_fails_with_exit_1_for_a_2_lipschitz_critic(capsys, sample_files):
    status, out, _ = run(capsys, "verify", "--critic", "critics_for_test.py:doubled",
                         "--samples-p", "p.npy", "--samples-q", "q.npy")
    assert status == 1 and "NOT PASSED" in out


@pytest.mark.parametrize("argv, message", [
    (["--critic", "critics_for_test:missing", "--samples-p", "p.npy", "--samples-q",
      "q.npy"], "no attribute"),
    (["--critic", "nowhere_module:f", "--samples-p", "p.npy", "--samples-q", "q.npy"],
     "cannot import"),
    (["--critic", "critics_for_test:identity", "--samples-p", "absent.npy", "--samples-q",
      "q.npy"],
     "no such file"),
    (["--critic", "critics_for_test:identity", "--samples-p", "objects.npy", "--samples-q",
      "q.npy"],
     "pickled data"),
    (["--critic", "identity", "--samples-p", "p.npy", "--samples-q", "q.npy"], "MODULE:FUNCTION"),
])
def test_verify_bad_input_exits_2_with_a_message(capsys, sample_files, argv, message):
    status, _, err = run(capsys, "verify", *argv)
    assert status == 2 and message in err


def test_console_entry_point_runs_as_a_module():
    completed = subprocess.run([sys.executable, "-m", "otdiv", "--help"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0 and "bakery" in completed.stdout


def test_json_output_is_strict_even_with_an_infinite_lipschitz_constant(capsys, tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save("p.npy", np.zeros((3, 2)))
    np.save("q.npy", np.ones((3, 2)))
    (tmp_path / "jumpy.py").write_text("import numpy as np\n\ndef f(x):\n"
                                       "    return np.arange(len(x), dtype=float)\n")
    status, out, _ = run(capsys, "verify", "--critic", "jumpy.py:f", "--samples-p", "p.npy",
                         "--samples-q", "q.npy", "--json")
    payload = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-strict {name}"))
    assert status == 1 and payload["lipschitz"] == "inf"


@pytest.mark.parametrize("source, message", [
    ("def f(x):\n    raise RuntimeError('boom')\n", "raised RuntimeError: boom"),
    ("def f(x:\n", "raised SyntaxError"),
])
def test_a_failing_critic_is_bad_input_with_a_message(capsys, sample_files, source, message):
    (sample_files / "broken.py").write_text(source)
    status, _, err = run(capsys, "verify", "--critic", "broken.py:f", "--samples-p", "p.npy",
                         "--samples-q", "q.npy")
    assert status == 2 and message in err and "--critic" in err


def test_demo_refuses_an_out_path_that_is_a_file(capsys, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("")
    status, _, err = run(capsys, "demo", "--out", str(target), "--sections", "bakery",
                         "--no-progress")
    assert status == 2 and "--out" in err and "expected a folder" in err
