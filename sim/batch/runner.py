"""Run a batch: what is missing, in chunks, on a pool, streamed to the store, with progress.

The runs go through the batch engine's one evaluation path (`sim.batch.evaluate.drive`:
chunks, crash isolation, retries); this adds what makes a batch resumable. Before
anything is written, the batch's cost is estimated (`sim.config.cost`) and the folder is
locked (`sim.io.locked`): a second process on the same folder is refused. Rows are
written to the store as they come (`_Buffer`), so a killed batch resumes where it
stopped. At the end the store is counted again: runs that are neither done nor
failed (a folder emptied under the batch, say) are reported as missing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.batch.evaluate import drive
from sim.batch.executors import check_executor, check_workers, default_workers, make_pool
from sim.batch.experiment import Experiment, RunSpec, verify_states
from sim.batch.store import Store, _now
from sim.config.cost import check_batch
from sim.io import held_signals, locked
from sim.progress import Progress

FLUSH_SECONDS, FLUSH_ROWS = 2.0, 500


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
    what_ran: Callable[[Path], None] | None = None,
) -> dict:
    """Run every run of `exp` not yet done in `out`; return the counts (with 'missing').

    `what_ran(out)` writes the command's own record (labsim.json, the resolved scenarios) at the end.
    """
    workers = default_workers() if workers is None else workers
    check_workers(workers)
    check_executor(executor, scheduler)
    out = Path(out)
    check_batch(exp.scenario_objects(), exp.points, exp.replications, exp.years, allow_large=allow_large,
                where=exp.path or f"experiment {exp.name}")
    digest, identity = exp.digest(), exp.identity()
    store = Store(out)
    store.check(digest, force, identity)  # nothing is written until the options, the cost and the folder are good
    if exp.states:  # and the saved labs every run forks, by meaning, before the first run
        verify_states(exp.states, exp.replications)
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
            except BaseException:  # Ctrl-C, SIGTERM: the finished runs are on disk; do not wait for those in flight
                pool.terminate()
                raise
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
        if what_ran is not None:
            what_ran(out)
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    counts["done"], counts["failed"] = manifest["runs_done"], manifest["runs_failed"]
    counts["missing"] = len(specs) - counts["done"] - counts["failed"]
    return dict(counts)


def _drive(pool, todo: list[RunSpec], store: Store, counts: Counter, bar, chunk_size: int | None) -> None:
    """Drive the runs on the pool; write their rows and series to the store as they come back."""
    buffer = _Buffer(store)

    def take(_spec: RunSpec, rows: list[dict], series: pd.DataFrame | None) -> None:
        ok = rows[0]["status"] == "ok"
        buffer.add(rows, series)
        counts["ok" if ok else "failed_now"] += 1
        bar.advance(not ok)
        buffer.flush_if_due()

    try:
        drive(pool, todo, take, chunk_size)
    finally:  # also when interrupted: the runs that finished are kept, and a resume does not run them again
        with held_signals():
            buffer.flush()


class _Buffer:
    """Rows waiting to be written: flushed every few seconds or rows, so nothing piles up in memory."""

    def __init__(self, store: Store) -> None:
        self.store, self.rows, self.series, self.last = store, [], [], time.monotonic()

    def add(self, rows: list[dict], series: pd.DataFrame | None) -> None:
        self.rows += rows
        if series is not None:
            self.series.append(series)

    def flush_if_due(self) -> None:
        if len(self.rows) >= FLUSH_ROWS or (self.rows and time.monotonic() - self.last >= FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.store.append(self.rows, self.series)
        self.rows, self.series, self.last = [], [], time.monotonic()


class _Progress(Progress):
    """Runs done out of the batch's, with the failed ones and the rate (sim.progress: a bar, or plain lines).

    The runs already done before a resume count as done from the start.
    """

    def __init__(self, total: int, skipped: int, quiet: bool) -> None:
        super().__init__("runs", total, quiet)
        self.done, self.failed, self._start_done = skipped, 0, skipped

    def advance(self, failed: bool) -> None:
        self.failed += failed
        rate = (self.done + 1 - self._start_done) / max(1e-9, time.monotonic() - self._t0)
        super().advance(f"{self.failed} failed, {rate:.1f} runs/s" if self.failed else f"{rate:.1f} runs/s")
