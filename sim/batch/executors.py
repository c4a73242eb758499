"""Where runs execute: a local process pool, or Dask, behind one `concurrent.futures` interface."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import suppress

from sim.batch.orphans import die_with_parent, start_forkserver
from sim.errors import LabsimError

EXECUTORS = ("local", "dask")
MISSING_DASK = ("--executor dask: Dask is not installed; install the extra: pip install 'labsim[dask]' "
                "(make run and make test install it)")
SCHEDULER_TIMEOUT_S = 5
# imported once by the forkserver (one per labsim process), so that the workers of every later pool, and of a
# pool rebuilt after a crash, start at once instead of importing the model (~2 s each on this project's machine)
PRELOAD = ["sim.batch.forkserver", "sim.batch.worker", "sim.model.model", "sim.metrics"]  # the first: dies with labsim


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def max_workers() -> int:
    """The most worker processes labsim starts on this machine: four per core."""
    return 4 * default_workers()


def check_workers(workers: int) -> None:
    """Refuse a number of worker processes this machine should not start."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= max_workers():
        raise LabsimError(f"--workers: got {workers}; allowed: an integer in [1, {max_workers()}] "
                          f"(four per core of the {default_workers()} here)")


class Pool:
    """An executor that can be rebuilt after a worker crashed, and closed once (`with make_pool(...) as pool:`)."""

    kind = "local"

    def __init__(self, workers: int) -> None:
        """Start `workers` worker processes (forkserver: clean children, imports preloaded)."""
        self.workers = workers
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(PRELOAD)
        self.executor: Executor = self._make()

    def _make(self) -> Executor:
        start_forkserver()  # now, knowing this process's pid: it dies with this process from its first moment
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx, initializer=die_with_parent)

    def rebuild(self) -> None:
        """Replace a broken pool with a fresh one."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._make()

    def close(self) -> None:
        """Shut the workers down."""
        self.executor.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop at once (Ctrl-C, SIGTERM): queued runs cancelled, workers killed, no wait for the runs in flight."""
        procs = dict(getattr(self.executor, "_processes", None) or {})
        self.executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs.values():
            with suppress(Exception):
                proc.kill()
        for proc in procs.values():
            with suppress(Exception):
                proc.join(5)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Shut down after the work; on an error, Ctrl-C or SIGTERM, stop at once (no wait for the runs in flight)."""
        if kind is None:
            self.close()
        else:
            self.terminate()


class DaskPool(Pool):
    """Dask through `Client.get_executor()`: a LocalCluster here, or an existing scheduler."""

    kind = "dask"

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        """Connect to `scheduler` (fails within seconds if unreachable) or start a LocalCluster."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # an optional extra: a batch-only install stays light
            raise LabsimError(MISSING_DASK) from None
        for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self.workers, self.cluster = workers, None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise LabsimError(
                    f"--scheduler {scheduler}: cannot reach a Dask scheduler within {SCHEDULER_TIMEOUT_S} s "
                    f"({exc.__class__.__name__}); start one with `dask scheduler` or check the address"
                ) from None
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {}))) or workers
        else:
            import dask

            # A task whose worker dies fails at once (KilledWorker): the runner retries its runs one at a time
            # and counts the deaths itself, as for the local pool, so only a run that kills its worker fails.
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.executor = self._make()

    def _make(self) -> Executor:
        return self.client.get_executor(pure=False)  # identical tasks must not be merged

    def rebuild(self) -> None:
        """Dask replaces dead workers itself; only the executor wrapper is renewed."""
        self.executor = self._make()

    def terminate(self) -> None:
        """Dask: closing the client and the cluster stops their work."""
        self.close()

    def close(self) -> None:
        """Close the client, and the LocalCluster if this started one."""
        with suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with suppress(Exception):
                self.cluster.close()


def check_executor(kind: str, scheduler: str | None) -> None:
    """Refuse an unknown executor, or a scheduler without Dask."""
    if kind not in EXECUTORS:
        raise LabsimError(f"--executor: got {kind!r}; allowed: {', '.join(EXECUTORS)}")
    if scheduler and kind != "dask":
        raise LabsimError("--scheduler: only with --executor dask")


def make_pool(kind: str, workers: int, scheduler: str | None = None) -> Pool:
    """The one way labsim starts workers: a local process pool (forkserver) or Dask."""
    check_executor(kind, scheduler)
    check_workers(workers)
    return DaskPool(workers, scheduler) if kind == "dask" else Pool(workers)
