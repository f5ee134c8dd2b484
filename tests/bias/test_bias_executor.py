"""The bias benchmark's p-grid sweep on the executor adapter: same rows everywhere."""

import concurrent.futures

import numpy as np
import pytest

from otdiv.bias.tables import grid_rows


def test_grid_rows_are_the_same_serially_on_processes_and_threads():
    p_grid = np.linspace(0.05, 0.95, 7)
    serial = grid_rows([1, 3, 8], p_grid, n_theta=41)
    with concurrent.futures.ThreadPoolExecutor(2) as threads:
        threaded = grid_rows([1, 3, 8], p_grid, n_theta=41, executor=threads)
    processes = grid_rows([1, 3, 8], p_grid, n_theta=41, executor="processes")
    assert serial == threaded == processes
    assert [row["m"] for row in serial] == [1, 3, 8]
    # the Cramér sample gradient is unbiased (Bellemare et al.): its bias is round-off
    assert all(row["sup Cramer bias"] < 1e-12 for row in serial)
    assert all(row["sup W1 bias"] > 0.1 for row in serial)


def test_grid_rows_refuses_an_unknown_executor():
    with pytest.raises(ValueError, match="executor"):
        grid_rows([1], np.array([0.5]), executor="gpu")


def test_bias_command_sweeps_on_workers_with_the_serial_tables(capsys):
    from otdiv.cli import main

    arguments = ["bias", "--prob", "0.6", "--m", "1", "3", "--grid", "5", "--runs", "2",
                 "--steps", "10", "--no-progress", "--json"]
    assert main(arguments) == 0
    serial = capsys.readouterr().out
    assert main([*arguments, "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
