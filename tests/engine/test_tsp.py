"""The tsp problem: TSPLIB distances, shipped instances against their proven optima, and
DEAP operators bound through --set giving byte-identical fronts serially, on 2 workers,
on Dask and after kill -9 + resume."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gadesign.errors import ConfigError
from gadesign_problems.testfunctions.tsp import OPTIMA, distance_matrix, parse_tsplib, tsp

#: TSPLIB's berlin52.opt.tour (Reinelt, TSPLIB 95): the proven optimal tour, length 7542.
BERLIN52_OPT_TOUR = [1, 49, 32, 45, 19, 41, 8, 9, 10, 43, 33, 51, 11, 52, 14, 13, 47, 26, 27, 28, 12, 25, 4, 6, 15,
                     5, 24, 48, 38, 37, 40, 39, 36, 35, 34, 44, 46, 16, 29, 50, 20, 23, 30, 2, 7, 42, 21, 17, 3,
                     18, 31, 22]


def test_shipped_data_give_the_published_optimal_tour_length():
    problem = tsp("berlin52")
    assert problem.lengths([np.array(BERLIN52_OPT_TOUR) - 1])[0] == 7542 == problem.optimum
    for name, optimum in OPTIMA.items():
        p = tsp(name)
        assert p.instance.n == int("".join(c for c in name if c.isdigit()))
        # a lower bound no tour can beat: every city is left along an edge at least as long as its nearest
        d = p.instance.distances + np.diag(np.full(p.instance.n, 10 ** 9))
        assert d.min(axis=1).sum() <= optimum


def test_tsplib_distance_functions():
    # ATT: r = sqrt((dx^2 + dy^2)/10) = sqrt(10) = 3.16 -> nint 3 < r -> 4 (TSPLIB 95, section 2.5)
    assert distance_matrix(np.array([[0.0, 0.0], [10.0, 0.0]]), "ATT")[0, 1] == 4
    # GEO: one degree of longitude on the equator is 6378.388 km * pi/180 = 111.3 km -> int(d + 1) = 112
    assert distance_matrix(np.array([[0.0, 0.0], [0.0, 1.0]]), "GEO")[0, 1] == 112
    # "DDD.MM" coordinates: 0.30 is 30 minutes = half a degree -> 55.7 km -> 56
    assert distance_matrix(np.array([[0.0, 0.0], [0.0, 0.30]]), "GEO")[0, 1] == int(6378.388 * math.pi / 360 + 1)
    assert distance_matrix(np.array([[0.0, 0.0], [3.0, 4.4]]), "EUC_2D")[0, 1] == 5
    assert distance_matrix(np.array([[0.0, 0.0], [3.0, 4.1]]), "CEIL_2D")[0, 1] == 6


@pytest.mark.parametrize("text, message", [
    ("NAME : x\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : MAN_2D\nNODE_COORD_SECTION\n1 0 0\nEOF\n", "MAN_2D"),
    ("NAME : x\nTYPE : ATSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nEOF\n", "symmetric"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 5\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 0\n3 1 1\n4 0 1\nEOF\n",
     "nodes 1..5"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 a 0\nEOF\n", ":7:"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_SECTION\n1 2 3\nEOF\n", "EXPLICIT"),
])
def test_bad_tsplib_files_are_clear_errors(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_tsplib(text, "bad.tsp")


def test_cli_errors_and_tour_export(cli, tmp_path):
    bad = cli("evolve", "tsp", "--set", "instance=nowhere", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "unknown TSP instance 'nowhere'" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("evolve", "tsp", "--set", f"file={tmp_path / 'none.tsp'}", "--out", str(tmp_path / "y"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "none.tsp" in missing.stderr
    square = tmp_path / "square.tsp"
    square.write_text("NAME : square\nTYPE : TSP\nDIMENSION : 6\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
                      "1 0 0\n2 10 0\n3 20 0\n4 20 10\n5 10 10\n6 0 10\nEOF\n")
    run = tmp_path / "run"
    res = cli("evolve", "tsp", "--set", f"file={square}", "--pop", "6", "--generations", "2", "-q", "--out", str(run))
    assert res.returncode == 0, res.stderr
    (member,) = json.loads((run / "front.json").read_text())["members"]
    assert member["objectives"] == [60.0]  # the perimeter of the 20 x 10 rectangle
    tour = (run / "designs" / "member-000.tour").read_text().split()
    assert tour[tour.index("TOUR_SECTION") + 1:tour.index("-1")] == [str(v + 1) for v in member["genome"]]


@pytest.mark.slow
@pytest.mark.parametrize("instance", ["eil51", "berlin52"])
def test_default_budget_within_3_percent_of_the_optimum(tmp_path, instance):
    from gadesign.run import RunConfig, start_run
    start_run(RunConfig("tsp", {"instance": instance}, seed=1), tmp_path / instance)  # = gadesign evolve tsp --set ...
    (member,) = json.loads((tmp_path / instance / "front.json").read_text())["members"]
    length = member["objectives"][0]
    assert OPTIMA[instance] <= length <= 1.03 * OPTIMA[instance]
    assert sorted(member["genome"]) == list(range(len(member["genome"])))


DEAP_OPS = ("--set", "instance=eil51", "--set", "local_search=False", "--set", "crossover=cxPartialyMatched",
            "--set", "mutation=mutShuffleIndexes", "--set", "mutation_args={'indpb': 0.03}")


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> bool:
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None or time.time() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.slow
@pytest.mark.dask
def test_deap_operators_same_front_serial_workers_dask_and_after_kill_and_resume(tmp_path):
    pytest.importorskip("distributed")
    from gadesign.run import RunConfig, resume_run, start_run
    params = {"instance": "eil51", "local_search": False, "crossover": "cxPartialyMatched",
              "mutation": "mutShuffleIndexes", "mutation_args": {"indpb": 0.03}}

    def run(name, seed=2, **kw):
        config = RunConfig("tsp", dict(params), "ga", 30, 30, seed, 5, **kw)
        start_run(config, tmp_path / name)
        return (tmp_path / name / "front.json").read_bytes()

    front = run("serial")
    config = json.loads((tmp_path / "serial" / "config.json").read_text())
    assert config["genome"]["deap"]["crossover"]["function"] == "deap.tools.crossover.cxPartialyMatched"
    assert run("workers", workers=2) == front
    assert run("dask", dask="local:2") == front
    assert run("other", seed=3) != front  # the front does depend on the seed
    # kill -9 a command-line run after its generation-10 checkpoint, then resume it
    killed = tmp_path / "killed"
    args = ["evolve", "tsp", *DEAP_OPS, "--pop", "30", "--generations", "30", "--seed", "2",
            "--checkpoint-every", "5", "-q", "--out", str(killed)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gadesign", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reached = _wait_for(killed / "checkpoints" / "gen-0010.json", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert reached
    if (killed / "front.json").exists():  # the run was faster than the kill: make it a mid-run state
        (killed / "front.json").unlink()
        for p in (killed / "checkpoints").iterdir():
            if p.name != "gen-0010.json":
                p.unlink()
    resume_run(killed)
    assert (killed / "front.json").read_bytes() == front
