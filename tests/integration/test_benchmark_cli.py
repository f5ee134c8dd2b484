"""The benchmark scripts check their command line before any work.

A mistyped flag once ran ``bench_gan.py``'s whole default study (hours) and overwrote its
committed results; ``--help`` did the same. Every script must stop with a usage error
(exit status 2) on an unknown flag or a bad value, and print its help for ``--help``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted([*BENCHMARKS.glob("bench_*.py"), BENCHMARKS / "update_docs.py"])

BAD_COMMANDS = {  # script: arguments that must be refused, and what the error names
    "bench_gan.py": [(["--images", "--presets", "images_nope"], "--presets"),
                     (["--seeds", "0"], "--seeds"),
                     (["--training", "--losses", "wgan-gp,nope"], "--losses")],
    "bench_exact_scale.py": [(["--rerun", "10000,2"], "--rerun")],
    # no abbreviations: "--rerun" is bench_exact_scale's flag, not short for "--rerun-scalar"
    "bench_sort.py": [(["--rerun"], "--rerun")],
    "bench_network_simplex.py": [(["big"], "argument n")],
    "run_all.py": [(["bench_nope"], "bench_nope")],
}


def _run_all(commands):
    """Start every command at once (each imports numpy and more), then collect them."""
    processes = [subprocess.Popen([sys.executable, *command], cwd=BENCHMARKS, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for command in commands]
    outcomes = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        outcomes.append((process.returncode, stdout, stderr))
    return outcomes


def test_unknown_flags_and_bad_values_stop_before_any_work():
    commands = [[script.name, "--no-such-flag"] for script in SCRIPTS]
    bad = [(script, arguments, named) for script, cases in BAD_COMMANDS.items()
           for arguments, named in cases]
    commands += [[script, *arguments] for script, arguments, _ in bad]
    outcomes = _run_all(commands)
    for command, (status, stdout, stderr) in zip(commands, outcomes):
        assert status == 2, (command, status, stdout[-500:], stderr[-2000:])
        assert "Traceback" not in stderr, (command, stderr)
    for (script, arguments, named), (_, _, stderr) in zip(bad, outcomes[-len(bad):]):
        assert named in stderr, (script, arguments, stderr)


def test_help_prints_the_options_and_does_nothing_else():
    (status, stdout, stderr), = _run_all([["bench_gan.py", "--help"]])
    assert status == 0, stderr
    for flag in ("--images", "--data", "--presets", "--seeds", "--workers", "--no-refit"):
        assert flag in stdout
