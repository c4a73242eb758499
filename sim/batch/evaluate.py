"""Evaluate settings: runs (scenario, settings changes, seed, years) in, one table of outcomes out.

The one way labsim runs many settings. Batches (`run_batch`, which adds a
resumable store), compare, map, sensitivity, optimize, calibrate, ABC and the
check-up all hand their runs (`RunSpec`, built by `make_jobs`) to `drive`, on
one kind of pool (`make_pool`), and every run is `sim.run.summarise_run` in a
worker process (`sim.batch.worker`).

Crash isolation: a run that raises is recorded as failed by its worker. A
worker process that dies breaks the local pool: the pool is rebuilt, and the
runs that were in flight are retried one at a time, so that a run that kills
its worker again is identified; after `MAX_ATTEMPTS` crashes it is recorded
as failed and the others go on. A pool found broken when a chunk is submitted
(a worker killed while the pool waited between two calls) is rebuilt, and no
run is blamed. Under Dask a dying worker fails only its own
task (KilledWorker, after its first death): that chunk's runs are retried one
at a time too, with the same count of attempts, so one bad run never fails
its neighbours.

Results do not depend on the number of workers or the order runs finish in:
each run's seed is part of its spec, and `evaluate` returns its rows in the
order of the specs.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool

import pandas as pd

from sim.batch.executors import Pool, check_workers, default_workers, make_pool
from sim.batch.experiment import RunSpec
from sim.batch.worker import Outcome, execute_chunk, failed, faults_from_env
from sim.errors import LabsimError

MAX_ATTEMPTS = 3

Take = Callable[[RunSpec, list[dict], pd.DataFrame | None], None]  # a finished run: its spec, rows and series


def evaluate(jobs: list[RunSpec], workers: int | None = None, executor: str = "local", scheduler: str | None = None,
             progress: Callable[[bool], None] | None = None, pool: Pool | None = None) -> pd.DataFrame:
    """Run every job and return one row per run (or per run-year, for `yearly` jobs), in the order of `jobs`.

    Columns: `run_id`, `scenario`, `point`, the settings changes, `replication`,
    `seed` (and `year`, 1 = the first measured year), `status` ("ok" or
    "failed"), `error`, then the summary's outcomes (NaN for a failed run).
    A run that fails, even one that kills its worker, is a row with its error:
    the others go on and the caller decides what a failure means.

    Args:
        jobs: The runs, e.g. `make_jobs(scenarios, settings, seeds, years)`.
        workers: Worker processes of a pool started for this call (default: all cores).
        executor: "local" (a process pool) or "dask".
        scheduler: A Dask scheduler's address (with executor "dask").
        progress: Told of each finished run (True if it failed).
        pool: An open pool to run on (from `make_pool`), for callers that evaluate
            again and again (calibrate, ABC, the check-up); it is left open.

    """
    if not jobs:
        return pd.DataFrame()
    order = {spec.run_id: i for i, spec in enumerate(jobs)}
    if len(order) < len(jobs):
        raise ValueError("evaluate: run ids must be unique")
    results: list[list[dict]] = [[] for _ in jobs]

    def take(spec: RunSpec, rows: list[dict], _series) -> None:
        results[order[spec.run_id]] = rows
        if progress is not None:
            progress(rows[0]["status"] != "ok")

    if pool is not None:
        drive(pool, jobs, take)
    else:
        workers = default_workers() if workers is None else workers
        check_workers(workers)
        own = make_pool(executor, min(workers, len(jobs)), scheduler)
        try:
            drive(own, jobs, take)
        finally:
            own.close()
    table = pd.DataFrame([row for rows in results for row in rows])
    changed = list(dict.fromkeys(k for spec in jobs for k in spec.params))  # NaN where a job left a key as it was
    head = ["run_id", "scenario", "point", *changed, "replication", "seed", *(["year"] if "year" in table else []),
            "status", "error"]
    return table.reindex(columns=head + [c for c in table.columns if c not in head])


def drive(pool: Pool, todo: list[RunSpec], take: Take, chunk_size: int | None = None) -> None:
    """Run `todo` on `pool` in chunks, a bounded window in flight; hand each finished run to `take` as it comes.

    Every run reaches `take` exactly once: with its rows, or with one failed
    row when it raised or killed its worker `MAX_ATTEMPTS` times.
    """
    size = chunk_size or max(1, min(20, math.ceil(len(todo) / (pool.workers * 4))))
    pending = deque(todo[i : i + size] for i in range(0, len(todo), size))
    suspects: deque[RunSpec] = deque()  # runs in flight when a worker died: retried one at a time
    attempts: Counter[str] = Counter()
    inflight: dict = {}
    faults = faults_from_env()
    window = pool.workers * 2

    def died(spec: RunSpec, why: str = "") -> None:
        """One more death of a worker running `spec`: retried alone, failed after MAX_ATTEMPTS."""
        attempts[spec.run_id] += 1
        if attempts[spec.run_id] >= MAX_ATTEMPTS:
            take(spec, [failed(spec, f"worker process died {MAX_ATTEMPTS} times running this run{why}")], None)
        else:
            suspects.append(spec)

    idle_breaks = 0
    while pending or inflight or suspects:
        while True:  # suspects run alone: a dying worker also fails the tasks queued beside it (local or Dask)
            if suspects and not inflight:
                chunk, queue = [suspects[0]], suspects
            elif not suspects and pending and len(inflight) < window:
                chunk, queue = pending[0], pending
            else:
                break
            try:
                future = pool.executor.submit(execute_chunk, chunk, faults)
            except BrokenProcessPool:  # a worker died while the pool was idle, or since the last wait: no run to blame
                if inflight:
                    break  # their futures fail too, and the pool is rebuilt when they come back
                idle_breaks += 1
                if idle_breaks > MAX_ATTEMPTS:
                    raise LabsimError(f"the pool of worker processes broke {idle_breaks} times before running "
                                      "anything; is something killing them?") from None
                pool.rebuild()
                continue
            queue.popleft()
            inflight[future] = chunk
            idle_breaks = 0
        finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
        lost: list[RunSpec] = []
        for future in finished:
            chunk = inflight.pop(future)
            try:
                outcomes: list[Outcome] = future.result()
            except BrokenProcessPool:
                lost += chunk
                continue
            except Exception as exc:  # a task Dask could not complete: its worker died (KilledWorker)
                for spec in chunk:
                    died(spec, f" ({exc.__class__.__name__})")
                continue
            for spec, (rows, series) in zip(chunk, outcomes, strict=True):
                take(spec, rows, series)
        if lost:
            for chunk in inflight.values():  # the other futures of a broken pool are lost too
                lost += chunk
            inflight.clear()
            pool.rebuild()
            for spec in lost:
                died(spec)
