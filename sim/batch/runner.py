"""Run a batch: what is missing, in chunks, on a pool, streamed to the store, with progress.

Crash isolation: a run that raises is recorded as failed by its worker. A
worker process that dies breaks the local pool: the pool is rebuilt, and the
runs that were in flight are retried one at a time, so that a run that kills
its worker again is identified; after `MAX_ATTEMPTS` crashes it is recorded
as failed and the batch goes on. Under Dask a dying worker fails only its own
task (KilledWorker, after its first death): that chunk's runs are retried one
at a time too, with the same count of attempts, so one bad run never fails
its neighbours.

Before anything is written, the batch's cost is estimated (`sim.cost`) and
the folder is locked (`sim.io.locked`): a second process on the same folder is
refused. At the end the store is counted again: runs that are neither done nor
failed (a folder emptied under the batch, say) are reported as missing.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sim.batch.executors import check_executor, make_pool
from sim.batch.experiment import Experiment, RunSpec
from sim.batch.store import Store, _now
from sim.batch.worker import execute_chunk, faults_from_env
from sim.cost import check_batch
from sim.errors import LabsimError
from sim.io import locked

MAX_ATTEMPTS = 3
FLUSH_SECONDS, FLUSH_ROWS = 2.0, 500


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def max_workers() -> int:
    """The most worker processes a batch starts on this machine: four per core."""
    return 4 * default_workers()


def run_batch(
    exp: Experiment,
    out: Path,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    quiet: bool = False,
    force: bool = False,
    chunk_size: int | None = None,
    allow_large: bool = False,
) -> dict:
    """Run every run of `exp` not yet done in `out`; return the counts (with 'missing')."""
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= max_workers():
        raise LabsimError(f"--workers: got {workers}; allowed: an integer in [1, {max_workers()}] "
                          f"(four per core of the {default_workers()} here)")
    check_executor(executor, scheduler)
    out = Path(out)
    check_batch(exp.scenario_objects(), exp.points, exp.replications, exp.years, allow_large=allow_large,
                where=exp.path or f"experiment {exp.name}")
    digest, identity = exp.digest(), exp.identity()
    store = Store(out)
    store.check(digest, force, identity)  # nothing is written until the options, the cost and the folder are good
    specs = exp.runs()
    with locked(out):
        ours = store.check(digest, force, identity)  # again, under the lock: another process may have been first
        done = store.done() if ours else set()
        todo = [s for s in specs if s.run_id not in done]
        counts = Counter(total=len(specs), skipped=len(specs) - len(todo))
        t0 = time.perf_counter()
        pool = make_pool(executor, min(workers, max(1, len(todo))), scheduler) if todo else None
        manifest = store.claim(digest, {"name": exp.name, "varied": exp.varied, **exp.source}, force, identity)
        if pool is not None:
            try:
                with _Progress(len(specs), counts["skipped"], quiet) as bar:
                    _drive(pool, todo, store, counts, bar, chunk_size)
            finally:
                pool.close()
        runs = store.runs()
        ids = {s.run_id for s in specs}
        runs = runs[runs["run_id"].isin(ids)] if len(runs) else runs
        manifest |= {"ended": _now(), "runs_total": len(specs),
                     "runs_done": int((runs["status"] == "ok").sum()) if len(runs) else 0,
                     "runs_failed": int((runs["status"] == "failed").sum()) if len(runs) else 0,
                     "executor": executor, "workers": workers}
        store.write_manifest(manifest)
        store.finalize()
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    counts["done"], counts["failed"] = manifest["runs_done"], manifest["runs_failed"]
    counts["missing"] = len(specs) - counts["done"] - counts["failed"]
    return dict(counts)


def _drive(pool, todo: list[RunSpec], store: Store, counts: Counter, bar, chunk_size: int | None) -> None:
    """Keep a bounded window of chunks in flight; write results as they come back."""
    size = chunk_size or max(1, min(20, math.ceil(len(todo) / (pool.workers * 4))))
    pending = deque(todo[i : i + size] for i in range(0, len(todo), size))
    suspects: deque[RunSpec] = deque()  # runs in flight when a worker died: retried one at a time
    attempts: Counter[str] = Counter()
    inflight: dict = {}
    buffer = _Buffer(store)
    faults = faults_from_env()
    window = pool.workers * 2
    while pending or inflight or suspects:
        while True:  # suspects run alone: a dying worker also fails the tasks queued beside it (local or Dask)
            if suspects and not inflight:
                chunk = [suspects.popleft()]
            elif not suspects and pending and len(inflight) < window:
                chunk = pending.popleft()
            else:
                break
            inflight[pool.executor.submit(execute_chunk, chunk, faults)] = chunk
        finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
        lost: list[RunSpec] = []
        for future in finished:
            chunk = inflight.pop(future)
            try:
                results = future.result()
            except BrokenProcessPool:
                lost += chunk
                continue
            except Exception as exc:  # a task Dask could not complete: its worker died (KilledWorker)
                results = []
                for spec in chunk:  # as with the local pool: retried alone, failed after MAX_ATTEMPTS deaths
                    attempts[spec.run_id] += 1
                    if attempts[spec.run_id] >= MAX_ATTEMPTS:
                        error = f"worker process died {MAX_ATTEMPTS} times running this run ({exc.__class__.__name__})"
                        results.append((_failed(spec, error), None))
                    else:
                        suspects.append(spec)
            for row, series in results:
                buffer.add(row, series)
                counts["ok" if row["status"] == "ok" else "failed_now"] += 1
                bar.advance(row["status"] != "ok")
        if lost:
            for chunk in inflight.values():  # the other futures of a broken pool are lost too
                lost += chunk
            inflight.clear()
            pool.rebuild()
            for spec in lost:
                attempts[spec.run_id] += 1
                if attempts[spec.run_id] >= MAX_ATTEMPTS:
                    buffer.add(_failed(spec, f"worker process died {MAX_ATTEMPTS} times running this run"), None)
                    bar.advance(True)
                else:
                    suspects.append(spec)
        buffer.flush_if_due()
    buffer.flush()


def _failed(spec: RunSpec, error: str) -> dict:
    return {"run_id": spec.run_id, "scenario": spec.scenario_name, "point": spec.point, **spec.params,
            "replication": spec.replication, "seed": spec.seed, "status": "failed", "error": error}


class _Buffer:
    """Rows waiting to be written: flushed every few seconds or rows, so nothing piles up in memory."""

    def __init__(self, store: Store) -> None:
        self.store, self.rows, self.series, self.last = store, [], [], time.monotonic()

    def add(self, row: dict, series) -> None:
        self.rows.append(row)
        if series is not None:
            self.series.append(series)

    def flush_if_due(self) -> None:
        if len(self.rows) >= FLUSH_ROWS or (self.rows and time.monotonic() - self.last >= FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.store.append(self.rows, self.series)
        self.rows, self.series, self.last = [], [], time.monotonic()


class _Progress:
    """A live bar (rich): runs done, failed, rate and time left; silent with --quiet."""

    def __init__(self, total: int, skipped: int, quiet: bool) -> None:
        self.total, self.done, self.failed, self.quiet = total, skipped, 0, quiet
        self._bar = None

    def __enter__(self):
        if not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("[red]{task.fields[failed]} failed"),
                                 TextColumn("{task.fields[rate]} runs/s"), TimeRemainingColumn())
            self._bar.start()
            self._task = self._bar.add_task("runs", total=self.total, completed=self.done, failed=0, rate="-")
            self._t0, self._start_done = time.monotonic(), self.done
        return self

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        if self._bar is not None:
            rate = (self.done - self._start_done) / max(1e-9, time.monotonic() - self._t0)
            self._bar.update(self._task, completed=self.done, failed=self.failed, rate=f"{rate:.1f}")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
