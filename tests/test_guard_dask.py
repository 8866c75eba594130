"""Guard: a sweep on Dask fails in one line and resumes where it stopped.

``--scheduler`` is checked before anything connects; a scheduler that does not answer within
``--connect-timeout``, a scheduler lost mid-sweep, no worker for ``--worker-timeout`` and no
partition finishing for ``--stall-timeout`` (a frozen worker) each exit 4 with one line and
leave the previous table as it was; a worker killed with the network on it is replaced and
its partitions run again; the finished partitions are kept beside the table and the same
command again resumes from them, writing the table an uninterrupted sweep writes.

The cluster tests start a real ``LocalCluster`` with worker processes on loopback in a child
process of their own, and stop it, its scheduler or its worker by process id.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _guard import GOOD, _one_line_error
from corridormap.cli import main

pytest.importorskip("distributed")

#: a LocalCluster of N worker processes on loopback; prints its address and the workers' pids
CLUSTER = """
import os, sys, time
from distributed import Client, LocalCluster

if __name__ == "__main__":
    n = int(sys.argv[1])
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None, silence_logs=50)
    client = Client(cluster)
    pids = list(client.run(os.getpid).values()) if n else []
    print(cluster.scheduler_address, *pids, flush=True)
    while True:
        time.sleep(1)
"""
#: the sweep every cluster test runs: six partitions of a few seconds each
ORIGINS = "A,B,C,D,E,F"
DRAWS = "150000"


class Cluster:
    """A LocalCluster in a child process: its address and its workers' process ids."""

    def __init__(self, workers: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLUSTER, str(workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], 120)
        assert ready, "the cluster did not start within 120 s"
        first = self.proc.stdout.readline().split()
        self.address, self.workers = first[0], [int(p) for p in first[1:]]

    def stop(self) -> None:
        """Stop the cluster's whole process group (scheduler, nannies, workers)."""
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
        self.proc.wait(timeout=60)
        self.proc.stdout.close()


@pytest.fixture
def cluster():
    made: list[Cluster] = []

    def start(workers: int = 1) -> Cluster:
        made.append(Cluster(workers))
        return made[-1]

    yield start
    for c in made:
        c.stop()


def _sweep_args(geo: Path, out: Path, scheduler: str, *extra: str, draws: str = DRAWS) -> list[str]:
    return [sys.executable, "-m", "corridormap.cli", "sweep", "--data", str(geo), "--origins",
            ORIGINS, "--destinations", ORIGINS, "--draws", draws, "--partitions", "6",
            "--scheduler", scheduler, "--out", str(out), *extra]  # fmt: skip


def _start_sweep(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _parts(out: Path) -> list[Path]:
    return sorted((out.parent / f".{out.name}.parts").glob("*/part-*.json"))


def _wait_for_a_part(out: Path, sweep: subprocess.Popen, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while not _parts(out):
        assert sweep.poll() is None, sweep.communicate()
        assert time.monotonic() < end, "no partition finished in time"
        time.sleep(0.05)


def _finish(sweep: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    try:
        _, err = sweep.communicate(timeout=timeout)
    finally:
        if sweep.poll() is None:
            sweep.kill()
    return sweep.returncode, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("corridormap: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The table of the sweep, run in this process without Dask."""
    from conftest import write_geodata

    d = write_geodata(tmp_path_factory.mktemp("ref") / "geo")
    out = d.parent / "ref.csv"
    args = ["sweep", "--data", str(d), "--origins", ORIGINS, "--destinations", ORIGINS,
            "--draws", DRAWS, "--partitions", "6", "--scheduler", "none",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return out.read_text()


# -- before connecting ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    ["tcp://", "foo", "tcp://127.0.0.1:notaport", "http://127.0.0.1:8786", "inproc://x",
     "tcp://127.0.0.1:0", "tcp://[::1:8786", "tcp://a b:1"],
)  # fmt: skip
def test_a_malformed_scheduler_is_refused_before_connecting(
    tiny_dir, tmp_path, capsys, monkeypatch, address
):
    import distributed

    def never(*args, **kwargs):
        raise AssertionError("connected")

    monkeypatch.setattr(distributed, "Client", never)
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    argv = ["sweep", "--data", str(tiny_dir), "--origins", "E", "--destinations", "A"]
    assert main([*argv, "--scheduler", address, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "argument --scheduler" in err and "tcp://HOST:PORT" in err
    assert out.read_text() == GOOD


@pytest.mark.e2e
def test_a_scheduler_nobody_listens_on_is_one_line_within_the_time_given(
    tiny_dir, tmp_path, capsys
):
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    argv = ["sweep", "--data", str(tiny_dir), "--origins", "E", "--destinations", "A",
            "--scheduler", f"tcp://127.0.0.1:{port}", "--connect-timeout", "2",
            "--out", str(out)]  # fmt: skip
    t0 = time.monotonic()
    err = _one_line_error(capsys, main(argv), expected=4)
    assert time.monotonic() - t0 < 30
    assert f"no Dask scheduler answered at tcp://127.0.0.1:{port} within 2 s" in err
    assert "cannot write" not in err
    assert out.read_text() == GOOD


# -- a real cluster ---------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_default_sweep_prints_no_dask_lines(geo, tmp_path):
    out = tmp_path / "t.csv"
    args = [sys.executable, "-m", "corridormap.cli", "sweep", "--data", str(geo),
            "--origins", "E", "--destinations", "A,D", "--draws", "50", "--workers", "1",
            "--out", str(out)]  # fmt: skip
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "" and res.stdout.split() == [str(out)]
    assert not (tmp_path / ".t.csv.parts").exists()


@pytest.mark.e2e
def test_a_lost_scheduler_is_one_line_and_the_rerun_resumes(geo, tmp_path, cluster, reference):
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    first = cluster(1)
    sweep = _start_sweep(_sweep_args(geo, out, first.address, "--connect-timeout", "5"))
    _wait_for_a_part(out, sweep)
    first.stop()  # scheduler, nanny and worker
    code, err = _finish(sweep, timeout=180)
    line = _one_line(err)
    assert code == 4 and "lost the Dask scheduler" in line, err
    assert "partitions are kept in" in line and "resumes from them" in line
    assert out.read_text() == GOOD
    kept = len(_parts(out))
    assert 1 <= kept < 6
    plan = json.loads(next((out.parent / ".t.csv.parts").glob("*/plan.json")).read_text())
    assert len(plan["chunks"]) == 6

    second = cluster(1)
    code, err = _finish(_start_sweep(_sweep_args(geo, out, second.address)))
    assert code == 0, err
    assert f"resuming the sweep: {kept} of 6 partitions were done" in err
    assert out.read_text() == reference
    assert not (tmp_path / ".t.csv.parts").exists()


@pytest.mark.e2e
def test_a_killed_worker_is_replaced_and_its_partitions_run_again(
    geo, tmp_path, cluster, reference
):
    out = tmp_path / "t.csv"
    c = cluster(1)
    sweep = _start_sweep(_sweep_args(geo, out, c.address))
    _wait_for_a_part(out, sweep)
    os.kill(c.workers[0], signal.SIGKILL)  # the only worker, with the network on it
    code, err = _finish(sweep)
    assert code == 0, err
    assert "Dask workers lost; sending the network again" in err
    assert out.read_text() == reference


@pytest.mark.e2e
def test_a_frozen_worker_stops_the_sweep_after_the_stall_timeout(geo, tmp_path, cluster):
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    c = cluster(1)
    # partitions of about a second each: the first finishes well within the limit, and the
    # worker is frozen before the others are done
    args = _sweep_args(geo, out, c.address, "--stall-timeout", "15", draws="400000")
    sweep = _start_sweep(args)
    _wait_for_a_part(out, sweep)
    os.kill(c.workers[0], signal.SIGSTOP)
    t0 = time.monotonic()
    code, err = _finish(sweep, timeout=120)
    line = _one_line(err)
    assert code == 4 and time.monotonic() - t0 < 90
    assert "no partition of the sweep finished in 15 s (--stall-timeout)" in line
    assert "partitions are kept" in line
    assert out.read_text() == GOOD


@pytest.mark.e2e
def test_a_cluster_without_workers_stops_after_the_worker_timeout(geo, tmp_path, cluster):
    out = tmp_path / "t.csv"
    out.write_text(GOOD)
    c = cluster(0)
    sweep = _start_sweep(_sweep_args(geo, out, c.address, "--worker-timeout", "3"))
    code, err = _finish(sweep, timeout=120)
    line = _one_line(err)
    assert code == 4
    assert "no Dask worker has been connected to the scheduler for 3 s (--worker-timeout)" in line
    assert out.read_text() == GOOD


def test_a_result_its_worker_does_not_send_is_a_stall():
    """A partition done on a worker that then freezes: its result is waited for no longer
    than the stall timeout, and the sweep stops with the stall's one line."""
    from types import SimpleNamespace

    from corridormap import ClusterError
    from corridormap.sweep.execution import _fetched

    class Held:
        status = "finished"

        def result(self, timeout=None):
            assert timeout == 15
            raise TimeoutError

    watch = SimpleNamespace(stall_timeout=15, kept="; 2 of 6 partitions are kept")
    with pytest.raises(ClusterError) as err:
        _fetched(watch, Held(), 2, 6)
    text = str(err.value)
    assert text.startswith("no partition of the sweep finished in 15 s (--stall-timeout)")
    assert "partition 3 of 6 was done but its worker did not send it" in text
    assert text.endswith("2 of 6 partitions are kept")
