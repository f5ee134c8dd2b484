"""``bench_gan.py --images-summary`` collates the tracking studies' tables without changing a
cell, covers every critic on both datasets once, and refuses two tables for the same pair."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench_gan():
    # importing the script sets XLA_FLAGS for its own runs; the rest of the suite keeps its own
    xla_flags = os.environ.get("XLA_FLAGS")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_gan
    finally:
        sys.path.pop(0)
        if xla_flags is None:
            os.environ.pop("XLA_FLAGS", None)
        else:
            os.environ["XLA_FLAGS"] = xla_flags
    return bench_gan


def test_every_critic_on_both_datasets_once_with_its_source_cells(bench_gan):
    rows = bench_gan.collate_tracking()
    pairs = [(row["data"], row["critic"]) for row in rows]
    presets = list(bench_gan.IMAGE_PRESET_NOTES)
    assert pairs == [(data, preset) for data in ("digits", "mnist5k") for preset in presets]
    for row in rows:
        source = json.loads((bench_gan.RESULTS / row["results file"]).read_text())
        original, = (r for r in source["rows"] if r["critic"] == row["critic"])
        for column in bench_gan.SUMMARY_COLUMNS:
            assert row[column] == original[column], (row["critic"], column)
        w1 = original[f"final exact W₁(G, H), n = {row['n']}"]
        assert w1 == row["final exact W₁(G, H) at n"]
        assert original[f"floor W₁(H₁, H₂), n = {row['n']}"] == row["floor at n"]
        assert row["measured"] == source["machine"]["date"]


def test_two_tables_for_the_same_dataset_and_critic_are_refused(bench_gan, tmp_path):
    table = bench_gan.RESULTS / "gan_images.json"
    shutil.copy(table, tmp_path / "gan_images.json")
    shutil.copy(table, tmp_path / "gan_images_again.json")
    shutil.copy(table, tmp_path / "gan_images_runs.json")  # a runs file is never read as a table
    with pytest.raises(ValueError, match="gan_images_again.json"):
        bench_gan.collate_tracking(tmp_path)
    (tmp_path / "gan_images_again.json").unlink()
    assert len(bench_gan.collate_tracking(tmp_path)) == 2
