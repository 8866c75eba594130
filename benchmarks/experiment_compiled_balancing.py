"""An experiment, not part of ``make bench``: what compiling the balancing passes would give.

Issue 26 asks for assignment iterations within 3x of AequilibraE BFW's on the 10k-edge grid of
``bench_assign``. The passes of :func:`corridormap.assign.equilibrium._equilibrate` are about a
thousand pair shifts an iteration on some 130 elements each, every one a few dozen numpy calls
on small arrays. This script replaces the pass by the same algorithm compiled with numba (the
same shifts in the same order: slowest route first, Newton's step safeguarded by bisection, the
same tolerances; only the summation order of the dot products differs, so the flows agree to
rounding) and times whole runs to a relative gap of 1e-4, alternating with the numpy pass, with
each phase of an iteration timed on its own.

It needs numba (``pip install numba``), which corridormap does not depend on; without it the
script says so and stops.

Run: ``python benchmarks/experiment_compiled_balancing.py`` (``ROUNDS=2`` by default).
"""

from __future__ import annotations

import collections
import importlib
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_assign import synthetic_case

E = importlib.import_module("corridormap.assign.equilibrium")
P = importlib.import_module("corridormap.assign.paths")


def compiled_pass():
    """The balancing pass compiled by numba, or None without numba."""
    try:
        from numba import njit
    except ImportError:
        return None

    @njit(cache=True)
    def one_pass(indptr, loc, cnt, base, share, by_route, e_ptr, e_route, e_cnt, used, consts,
                 state, qt, close, vol):  # fmt: skip
        R, U = base.shape[0], used.shape[0]
        wl = np.empty(U)  # the waits on the elements used
        for e in range(U):
            wl[e] = state[1, used[e]]
        times = np.empty(R)
        for r in range(R):
            acc = 0.0
            for k in range(indptr[r], indptr[r + 1]):
                acc += cnt[k] * wl[loc[k]]
            times[r] = base[r] + acc
        b = 0
        for r in range(1, R):
            if times[r] < times[b]:
                b = r
        total = 0.0
        for r in range(R):
            total += share[r] * times[r]
        ts = times[b]
        excess = total - vol * ts
        if R < 2:
            return excess, total
        enough = close * ts
        slow = np.empty(R, np.int64)
        ns = 0
        for r in range(R):
            if share[r] > 0 and times[r] - ts > enough:
                slow[ns] = r
                ns += 1
        order = slow[:ns][np.argsort(-times[slow[:ns]], kind="mergesort")]
        now = times
        nz, dc = np.empty(U, np.int64), np.empty(U)
        v, w, sl = np.empty(U), np.empty(U), np.empty(U)
        for i in order:
            diff = now[i] - ts
            if diff <= enough:
                continue
            m = 0
            for e in range(U):
                d = by_route[i, e] - by_route[b, e]
                if d != 0:
                    nz[m] = e
                    dc[m] = d
                    m += 1
            if m == 0:
                share[b] += share[i]
                share[i] = 0.0
                continue
            most = share[i]
            lo, hi, h, g, d = 0.0, most, 0.0, diff, 0.0
            for j in range(m):
                d += dc[j] * dc[j] * state[2, used[nz[j]]]
            for _ in range(40):
                nxt = h + g / d if d > 0 else math.inf
                if nxt >= hi:
                    nxt = most if (hi == most and h < most) else 0.5 * (lo + hi)
                elif nxt <= lo:
                    nxt = 0.5 * (lo + hi)
                gs = ds = 0.0
                for j in range(m):
                    e, el = nz[j], used[nz[j]]
                    vv = state[0, el] - dc[j] * nxt
                    x = max(vv, 0.0) / consts[0, e]
                    a = consts[1, e] * x
                    z = x - 1.0
                    r = math.sqrt(z * z + a)
                    core = a / (r - z) if z < 0.0 else z + r
                    v[j], w[j] = vv, qt * core
                    sl[j] = consts[2, e] * (core + consts[3, e]) / r
                    gs += dc[j] * (w[j] - state[1, el])
                    ds += dc[j] * dc[j] * sl[j]
                h, g, d = nxt, diff + gs, ds
                if g >= 0:
                    if h >= most:
                        h = most
                        break
                    lo = h
                else:
                    hi = h
                if abs(g) <= 1e-3 * diff or hi - lo <= 1e-12 * most:
                    break
            share[i] = share[i] - h if h < share[i] else 0.0
            share[b] += h
            for j in range(m):  # every route's time, through the routes using each element
                e, el = nz[j], used[nz[j]]
                dw = w[j] - state[1, el]
                for k in range(e_ptr[e], e_ptr[e + 1]):
                    now[e_route[k]] += dw * e_cnt[k]
                state[0, el], state[1, el], state[2, el] = max(v[j], 0.0), w[j], sl[j]
            ts = now[b]
        return excess, total

    def equilibrate(rs, state, quarter_t, close):
        if not hasattr(rs, "arrays"):  # once per route set (an iteration)
            c, by_element = rs.counts, rs.by_element
            rows, cols = np.nonzero(by_element)
            rs.arrays = (
                c.indptr.astype(np.int64),
                c.indices.astype(np.int64),
                c.data.astype(float),
                rs.base,
                np.array(rs.share),
                rs.by_route.astype(float),
                np.searchsorted(rows, np.arange(by_element.shape[0] + 1)),
                cols,
                by_element[rows, cols],
                rs.used.astype(np.int64),
                np.ascontiguousarray(rs.consts),
            )
        a = rs.arrays
        out = one_pass(*a, state, quarter_t, close, rs.od.volume)
        rs.share[:] = a[4].tolist()
        return out

    return equilibrate


def timed_run(G, vols, equilibrate) -> tuple[float, Any, dict[str, float]]:
    """One run to 1e-4 with the given pass: CPU s, the result, CPU s by phase."""
    phases: collections.Counter = collections.Counter()
    saved = {}

    def timer(obj, name: str, label: str) -> None:
        f = saved[(obj, name)] = getattr(obj, name)

        def timed(*args, **kwargs):
            t = time.process_time()
            try:
                return f(*args, **kwargs)
            finally:
                phases[label] += time.process_time() - t

        setattr(obj, name, timed)

    saved[(E, "_equilibrate")] = E._equilibrate
    E._equilibrate = equilibrate
    timer(P.PathSearch, "best", "route search (PathSearch.best)")
    timer(E, "_RouteSet", "route-set tables (_RouteSet)")
    timer(E, "_equilibrate", "balancing passes (_equilibrate)")
    try:
        cpu = time.process_time()
        res = E.assign(G, vols, tolerance=1e-4, max_iterations=2_000)
        cpu = time.process_time() - cpu
    finally:
        for (obj, name), f in saved.items():
            setattr(obj, name, f)
    return cpu, res, dict(phases)


def main() -> int:
    compiled = compiled_pass()
    if compiled is None:
        print("experiment skipped: needs numba (pip install numba)")
        return 0
    G, vols, _ = synthetic_case()
    numpy_pass = E._equilibrate
    E.assign(G, vols, tolerance=1e-1)  # the core export, and numba's compilation
    timed_run(G, vols, compiled)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    flows = {}
    for _ in range(int(os.environ.get("ROUNDS", "2"))):
        for label, f in (("numpy", numpy_pass), ("numba", compiled)):
            cpu, res, phases = timed_run(G, vols, f)
            n = len(res.gaps)
            flows[label] = np.array([e["volume_mt"] for e in res.elements])
            print(
                f"{label}: {cpu:5.2f} CPU s, {n} iterations (gap {res.gap:.2e}), "
                f"{cpu / n * 1000:6.1f} ms an iteration; of which "
                + ", ".join(f"{k} {v / n * 1000:.1f}" for k, v in phases.items())
            )
    if flows["numpy"].shape == flows["numba"].shape:
        diff = np.abs(flows["numpy"] - flows["numba"]).max()
        print(f"largest difference of an element's volume between the two: {diff:.4f} Mt/yr")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
