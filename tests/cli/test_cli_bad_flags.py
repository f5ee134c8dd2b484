"""Every flag of every subcommand, given a bad value: exit 2, one line naming the flag, no work.

For each case the command must
- exit with status 2,
- print exactly one line on stderr that names the flag as the user typed it (``--runs``,
  never the Python parameter ``n_runs``) and no traceback, and nothing on stdout; after a
  deprecated spelling (``verify --p``), the deprecation line comes first, then that line,
- do no work first: the functions doing the work are replaced by ones that fail the test
  if called, the critic module (user code) is not even imported, and no file or folder is
  created.

The full table runs in-process through ``otdiv.cli.main`` (a parse error is a
``SystemExit(2)`` there, exactly what the console script turns into the exit status), so
the whole table costs well under a second; ``test_bad_input_files_as_a_user_runs_them``
runs the file cases of issue 13 (absurd and empty .npy headers, garbage) as real
subprocesses of ``python -m otdiv``.

A subcommand added to ``otdiv/_cli`` must get its rows in ``CASES`` (a test checks it).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from otdiv.cli import build_parser, main

#: Subcommands whose bad-flag rows live elsewhere, with the reason.
OWNED_ELSEWHERE = {
    "gan": "its flags are checked by the GAN work (tests/cli/test_gan_cli.py)",
}

ROOT = Path(__file__).resolve().parents[2]

#: (subcommand, arguments, the flag the message must name). "{...}" names a file made by
#: the ``workspace`` fixture; "OUT" is a folder that must not be created.
CRITIC = ["--critic", "marker_critic:f"]

#: Deprecated spellings (one release): a bad value after one of them prints the deprecation
#: line first, then the one error line.
DEPRECATED = {("bias", "--p"), ("verify", "--p"), ("verify", "--q"),
              ("verify", "--p-weights"), ("verify", "--q-weights")}

CASES = [
    ("bakery", ["--json=yes"], "--json"),
    ("bias", ["--prob", "1.5"], "--prob"),
    ("bias", ["--p", "1.5"], "--p"),  # deprecated spelling of --prob, named as typed
    ("bias", ["--prob", "nan"], "--prob"),
    ("bias", ["--prob", "0.5", "abc"], "--prob"),
    ("bias", ["--m", "0"], "--m"),
    ("bias", ["--m", "2.5"], "--m"),
    ("bias", ["--m", "100000000000"], "--m"),
    ("bias", ["--grid", "-1"], "--grid"),
    ("bias", ["--out", "{file.txt}"], "--out"),
    ("bias", ["--out", "{file.txt}/sub"], "--out"),
    ("bias", ["--out", "/proc/otdiv-out"], "--out"),
    ("bias", ["--sgd-m", "0"], "--sgd-m"),
    ("bias", ["--steps", "0"], "--steps"),
    ("bias", ["--steps", "1e3"], "--steps"),
    ("bias", ["--lr", "-1"], "--lr"),
    ("bias", ["--lr", "inf"], "--lr"),
    ("bias", ["--runs", "0"], "--runs"),
    ("bias", ["--runs", "1000000000"], "--runs"),
    ("bias", ["--seed", "-1"], "--seed"),
    ("bias", ["--no-progress=1"], "--no-progress"),
    ("bias", ["--workers", "0"], "--workers"),
    ("bias", ["--workers", "2", "--scheduler", "tcp://h:1"], "--workers"),
    ("bias", ["--scheduler", "notanaddress"], "--scheduler"),
    ("distance", ["{p.npy}", "{q.npy}", "--metric", "nosuch"], "--metric"),
    ("distance", ["{p.npy}", "{q.npy}", "--p", "0.5"], "--p"),
    ("distance", ["{p.npy}", "{q.npy}", "--metric", "sliced_wasserstein", "--n-projections",
                  "1"], "--n-projections"),
    ("distance", ["{p.npy}", "{q.npy}", "--metric", "sliced_energy", "--seed", "-1"], "--seed"),
    ("distance", ["{p.npy}", "{q.npy}", "--json=1"], "--json"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--metric", "nosuch"], "--metric"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--p", "nan"], "--p"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--n-projections", "5"], "--n-projections"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--metric", "sliced_energy", "--seed", "x"], "--seed"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--out", "{file.txt}/m.npy"], "--out"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--out", "/proc/m.npy"], "--out"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--out", "{q.npy}"], "--out"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--out", "{folder.npy}"], "--out"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--workers", "0"], "--workers"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--scheduler", "notanaddress"], "--scheduler"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--no-progress=1"], "--no-progress"),
    ("pairwise", ["{p.npy}", "{q.npy}", "--json=1"], "--json"),
    ("demo", ["--out", "{file.txt}"], "--out"),
    ("demo", ["--out", "/proc/otdiv-out"], "--out"),
    ("demo", ["--seed", "x"], "--seed"),
    ("demo", ["--seed", "-3"], "--seed"),
    ("demo", ["--sections", "nosuch"], "--sections"),
    ("demo", ["--quick=2"], "--quick"),
    ("demo", ["--no-progress=1"], "--no-progress"),
    ("verify", ["--critic", "marker_critic:f", "--p", "{absent.npy}", "--samples-q", "{q.npy}"],
     "--p"),  # deprecated spelling of --samples-p, named as typed
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--q", "{absent.npy}"],
     "--q"),
    ("verify", ["--critic", "no_colon", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}"],
     "--critic"),
    ("verify", ["--critic", "missing.py:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}"],
     "--critic"),
    ("verify", [*CRITIC, "--samples-p", "{absent.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{folder.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{p.json}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{big.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{empty.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{garbage.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{objects.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{cube.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{nan.npy}", "--samples-q", "{q.npy}"], "--samples-p"),
    ("verify", [*CRITIC, "--samples-p", "{p.npy}", "--samples-q", "{empty.csv}"], "--samples-q"),
    ("verify", [*CRITIC, "--samples-p", "{p.npy}", "--samples-q", "{word.csv}"], "--samples-q"),
    ("verify", [*CRITIC, "--samples-p", "{p.npy}", "--samples-q", "{nan.csv}"], "--samples-q"),
    ("verify", [*CRITIC, "--samples-p", "{p.npy}", "--samples-q", "{ragged.csv}"], "--samples-q"),
    ("verify", [*CRITIC, "--samples-p", "{p.npy}", "--samples-q", "{plane.npy}"], "--samples-q"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--samples-p-weights", "{negative.csv}"], "--samples-p-weights"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--samples-p-weights", "{short.csv}"], "--samples-p-weights"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--samples-q-weights", "{zeros.csv}"], "--samples-q-weights"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--p-weights", "{absent.csv}"], "--p-weights"),  # deprecated spelling
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--q-weights", "{folder.npy}"], "--q-weights"),  # deprecated spelling
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--tol", "0"], "--tol"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--tol", "nan"], "--tol"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--tol", "2"], "--tol"),
    ("verify", ["--critic", "marker_critic:f", "--samples-p", "{p.npy}", "--samples-q", "{q.npy}",
                "--tol", "1"], "--tol"),
]


def _write_absurd_npy(path: Path) -> None:
    """A 144-byte .npy whose header claims 10**12 float64 values (8 TB)."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    path.write_bytes(b"\x93NUMPY\x01\x00" + (118).to_bytes(2, "little")
                     + header.ljust(117).encode() + b"\n" + bytes(16))


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "p.npy", rng.normal(size=10))
    np.save(tmp_path / "q.npy", rng.normal(size=10))
    np.save(tmp_path / "plane.npy", rng.normal(size=(10, 2)))
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    np.save(tmp_path / "nan.npy", np.array([0.0, np.nan]))
    np.save(tmp_path / "objects.npy", np.array([object()]), allow_pickle=True)
    _write_absurd_npy(tmp_path / "big.npy")
    (tmp_path / "empty.npy").write_bytes(b"")
    (tmp_path / "garbage.npy").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "folder.npy").mkdir()
    (tmp_path / "p.json").write_text("[1, 2]")
    (tmp_path / "file.txt").write_text("not a folder")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "word.csv").write_text("1.0\n2.0\nthree\n")
    (tmp_path / "nan.csv").write_text("# header\n1.0\n\nnan\n")
    (tmp_path / "ragged.csv").write_text("1,2\n3\n")
    (tmp_path / "negative.csv").write_text("\n".join(["1"] * 9 + ["-1"]) + "\n")
    (tmp_path / "short.csv").write_text("1\n2\n")
    (tmp_path / "zeros.csv").write_text("0\n" * 10)
    (tmp_path / "marker_critic.py").write_text(
        "open('critic_imported.marker', 'w').close()\n\ndef f(x):\n    return x[:, 0]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _replacement(command, flag):
    return {"bias": "--prob"}.get(command, flag.replace("--", "--samples-", 1))


def _expand(argv, workspace):
    return [re.sub(r"\{([^}]*)\}", lambda match: str(workspace / match.group(1)), arg)
            for arg in argv]


def _listing(folder: Path) -> set:
    return {path.relative_to(folder) for path in folder.rglob("*")}


@pytest.fixture
def no_work(monkeypatch):
    """Replace the functions that do each command's work by ones that fail the test."""
    import otdiv
    import otdiv._cli.demo
    import otdiv.bias.tables
    import otdiv.critics
    import otdiv.distance_matrix

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before every argument was checked")

    monkeypatch.setattr(otdiv.bias.tables, "minimizer_rows", forbidden)
    monkeypatch.setattr(otdiv.bias.tables, "grid_rows", forbidden)
    monkeypatch.setattr(otdiv._cli.demo, "run_demo", forbidden)
    monkeypatch.setattr(otdiv.critics, "verify_critic", forbidden)
    monkeypatch.setattr(otdiv.distance_matrix, "pairwise", forbidden)
    for name in ("wasserstein", "cramer_distance", "energy_distance", "sliced_wasserstein",
                 "sliced_energy_distance"):
        monkeypatch.setattr(otdiv, name, forbidden)


def test_every_subcommand_has_bad_flag_cases():
    parser = build_parser()
    subcommands = next(action for action in parser._actions
                       if action.__class__.__name__ == "_SubParsersAction").choices
    covered = {command for command, _, _ in CASES}
    assert set(subcommands) - set(OWNED_ELSEWHERE) <= covered


def test_every_flag_of_the_covered_subcommands_has_a_case():
    parser = build_parser()
    subcommands = next(action for action in parser._actions
                       if action.__class__.__name__ == "_SubParsersAction").choices
    for command in {command for command, _, _ in CASES}:
        flags = {option for action in subcommands[command]._actions
                 for option in action.option_strings if option.startswith("--")}
        flags -= {"--help"}
        if command != "bakery":
            flags -= {"--json"}  # a store_true flag; its bad form is covered once (bakery)
        tested = {flag for name, _, flag in CASES if name == command}
        assert flags <= tested, (command, flags - tested)


@pytest.mark.parametrize("command, argv, flag", CASES,
                         ids=[f"{c}-{' '.join(a)}" for c, a, _ in CASES])
def test_bad_flag_exits_2_with_one_line_naming_it_before_any_work(
        command, argv, flag, workspace, no_work, capsys):
    out_folder = workspace / "OUT"
    args = [command, *_expand(argv, workspace)]
    if command in ("bias", "demo") and "--out" not in argv:
        args += ["--out", str(out_folder)]
    before = _listing(workspace)
    try:
        status = main(args)
    except SystemExit as exit_info:
        status = exit_info.code
    captured = capsys.readouterr()
    assert status == 2
    *warnings, message = captured.err.rstrip("\n").split("\n")
    assert message, captured.err
    if (command, flag) in DEPRECATED:
        assert warnings == [f"otdiv {command}: warning: {flag} is deprecated and will be "
                            f"removed in the next release; use {_replacement(command, flag)}"]
    else:
        assert not warnings, captured.err
    assert flag in message
    assert "Traceback" not in message and "np.float64" not in message
    assert captured.out == ""
    assert _listing(workspace) == before  # nothing written, critic module not imported
    assert not out_folder.exists()


@pytest.mark.parametrize("name, expected", [
    ("big.npy", "header announces shape (1000000000000,)"),
    ("empty.npy", "is empty"),
    ("garbage.npy", "not a NumPy .npy file"),
    ("folder.npy", "is a folder"),
    ("word.csv", "line 3, column 1: 'three' is not a number"),
])
def test_bad_input_files_as_a_user_runs_them(name, expected, workspace):
    completed = subprocess.run(
        [sys.executable, "-m", "otdiv", "verify", "--critic", "marker_critic:f",
         "--samples-p", name, "--samples-q", "q.npy"],
        capture_output=True, text=True, timeout=300, cwd=workspace,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and expected in completed.stderr
    assert "--samples-p" in completed.stderr and completed.stdout == ""
    assert not (workspace / "critic_imported.marker").exists()


def test_python_dash_m_otdiv_runs_the_command():
    completed = subprocess.run([sys.executable, "-m", "otdiv", "--help"], capture_output=True,
                               text=True, timeout=300, cwd=ROOT)
    assert completed.returncode == 0 and "bakery" in completed.stdout


def test_a_csv_row_with_two_columns_is_one_point_in_the_plane(workspace):
    from otdiv._cli._files import load_samples
    (workspace / "one.csv").write_text("1.5,2.5\n")
    assert load_samples(workspace / "one.csv", "--p").shape == (1, 2)
    (workspace / "column.csv").write_text("1\n2\n3\n")
    assert load_samples(workspace / "column.csv", "--p").shape == (3,)


def test_an_empty_csv_gives_no_numpy_warning(workspace, recwarn):
    from otdiv._cli._files import load_samples
    with pytest.raises(ValueError, match="holds no numbers"):
        load_samples(workspace / "empty.csv", "--p")
    assert len(recwarn) == 0


@pytest.mark.parametrize("call", [
    lambda otdiv: otdiv.wasserstein([0.0, np.nan], [1.0]),
    lambda otdiv: otdiv.wasserstein([0.0, 1.0], [1.0], [1.0, -1.0]),
    lambda otdiv: otdiv.f_divergence([0.5, -0.5], [0.5, 0.5]),
    lambda otdiv: otdiv.verify_critic(lambda x: np.full(len(x), np.nan), np.zeros((3, 2)),
                                      np.ones((3, 2))),
])
def test_messages_print_numbers_plainly_not_as_numpy_reprs(call):
    import otdiv
    with pytest.raises(ValueError) as error:
        call(otdiv)
    assert "np.float64" not in str(error.value) and "np." not in str(error.value)


def test_verify_help_states_the_tol_interval_the_command_accepts(capsys, workspace):
    """--help and the check agree: (0, 1), as otdiv.verify_critic takes it (issue 26, 9)."""
    assert main(["verify", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "in (0, 1) as in otdiv.verify_critic" in text
    assert main(["verify", "--critic", "marker_critic:f", "--samples-p", "p.npy",
                 "--samples-q", "q.npy", "--tol", "1"]) == 2
    assert "a number in (0, 1)" in capsys.readouterr().err


def test_verify_help_says_the_critic_module_is_imported_and_run(capsys):
    """Trust is documented (issue 26, item 7): naming a module runs its code."""
    assert main(["verify", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "imported (the file run)" in text and "only code you trust" in text


def test_user_guide_says_unpickling_runs_code_and_points_to_save_and_load():
    text = " ".join((ROOT / "docs" / "guide.md").read_text(encoding="utf-8").split())
    assert "Results pickle, but unpickling runs whatever code the pickle names" in text
    assert "use `save(path)` / `load(path)` (arrays and JSON, no pickle, nothing executed" in text


# One meaning per flag (issue 25): --p is the distance order only; verify's sample files are
# --samples-p/--samples-q and bias's probabilities --prob. The old spellings work for one
# release, with a deprecation line on stderr.

def test_verify_old_spellings_work_with_a_deprecation_message(capsys, workspace):
    args = ["verify", "--critic", "marker_critic:f", "--tol", "0.5"]
    new = main([*args, "--samples-p", "p.npy", "--samples-q", "q.npy", "--json"])
    new_out, new_err = capsys.readouterr()
    assert "deprecated" not in new_err
    old = main([*args, "--p", "p.npy", "--q", "q.npy", "--json"])
    old_out, old_err = capsys.readouterr()
    assert old == new and old_out == new_out
    assert "otdiv verify: warning: --p is deprecated" in old_err and "--samples-p" in old_err
    assert "--q is deprecated" in old_err and "--samples-q" in old_err


def test_verify_without_samples_names_the_new_flag(capsys, workspace):
    assert main(["verify", "--critic", "marker_critic:f", "--samples-q", "q.npy"]) == 2
    assert "--samples-p FILE is required" in capsys.readouterr().err


def test_verify_help_shows_the_new_names_only(capsys):
    assert main(["verify", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--samples-p" in text and "--samples-q" in text
    assert not re.search(r"--p\b(?!-)", text) and not re.search(r"--q\b(?!-)", text)


def test_bias_prob_and_its_deprecated_spelling_parse_the_same(capsys):
    parser = build_parser()
    new = parser.parse_args(["bias", "--prob", "0.3", "0.7"])
    assert new.prob == [0.3, 0.7] and capsys.readouterr().err == ""
    old = parser.parse_args(["bias", "--p", "0.3", "0.7"])
    assert old.prob == [0.3, 0.7]
    assert "otdiv bias: warning: --p is deprecated" in capsys.readouterr().err
    assert build_parser().parse_args(["bias"]).prob == [0.6, 0.9]


def test_bias_prob_out_of_range_names_the_flag_typed(capsys):
    assert main(["bias", "--prob", "1.5"]) == 2
    assert "argument --prob" in capsys.readouterr().err
    assert main(["bias", "--p", "1.5"]) == 2
    assert "argument --p" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["distance", "pairwise"])
def test_cramer_on_points_in_the_plane_names_the_flag_and_file(command, capsys, workspace):
    assert main([command, "plane.npy", "plane.npy", "--metric", "cramer"]) == 2
    error = capsys.readouterr().err
    assert "--metric cramer needs 1-D samples" in error and "plane.npy" in error
    assert "u_values" not in error


@pytest.mark.parametrize("argv", [
    ["distance", "p.npy", "q.npy", "--bogus"],
    ["bakery", "extra"],
])
def test_a_subcommands_extra_argument_is_reported_by_the_subcommand(argv, capsys, workspace):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"otdiv {argv[0]}: error: unrecognized arguments")


def test_a_csv_header_line_is_refused_with_the_way_to_skip_it(workspace):
    from otdiv._cli._files import load_samples
    (workspace / "header.csv").write_text("x,y\n1,2\n3,4\n")
    with pytest.raises(ValueError, match="start it with # to skip it"):
        load_samples(workspace / "header.csv", "--samples-p")
    (workspace / "commented.csv").write_text("# x,y\n1,2\n3,4\n")
    assert load_samples(workspace / "commented.csv", "--samples-p").shape == (2, 2)


def test_pairwise_prints_the_file_names_beside_the_matrix(capsys, workspace):
    assert main(["pairwise", "p.npy", "q.npy", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "  1  p.npy" in out and "  2  q.npy" in out


def test_deprecation_is_printed_before_the_missing_file_error(capsys, workspace):
    # the file check used to run first, so a user with an old script saw only the error
    assert main(["verify", "--critic", "marker_critic:f", "--p", "absent.npy",
                 "--samples-q", "q.npy"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("otdiv verify: warning: --p is deprecated")
    assert "argument --p: no such file 'absent.npy'" in lines[1] and len(lines) == 2


def test_verify_weights_new_and_old_spellings_give_the_same_answer(capsys, workspace):
    (workspace / "w.csv").write_text("\n".join(str(k) for k in range(1, 11)) + "\n")
    args = ["verify", "--critic", "marker_critic:f", "--tol", "0.5", "--samples-p", "p.npy",
            "--samples-q", "q.npy", "--json"]
    new = main([*args, "--samples-p-weights", "w.csv", "--samples-q-weights", "w.csv"])
    new_out, new_err = capsys.readouterr()
    assert "deprecated" not in new_err
    old = main([*args, "--p-weights", "w.csv", "--q-weights", "w.csv"])
    old_out, old_err = capsys.readouterr()
    assert old == new and old_out == new_out
    unweighted = main(args)
    assert unweighted == new and capsys.readouterr().out != new_out  # the weights are used
    assert ("otdiv verify: warning: --p-weights is deprecated and will be removed in the "
            "next release; use --samples-p-weights") in old_err
    assert "--q-weights is deprecated" in old_err and "--samples-q-weights" in old_err


def test_verify_help_names_the_weights_after_their_samples(capsys):
    assert main(["verify", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--samples-p-weights" in text and "--samples-q-weights" in text
    assert not re.search(r"(?<!samples)--[pq]-weights", text)


def test_bad_deprecated_value_names_the_alias_after_the_deprecation_line(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bias", "--p", "1.5"])
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("otdiv bias: warning: --p is deprecated")
    assert "argument --p: expected a number in [0, 1]" in lines[1]
