"""Progress of a long command on stderr: a live bar on a terminal, a plain line every few seconds otherwise.

A command that can run for more than ten seconds shows where it is (issue 34),
also when its output goes to a file or a pipe (`make run | tee`, a CI log): there
a rich bar would be noise, so a plain line is printed every `LABSIM_PROGRESS_SECONDS`
seconds (default 5), none for work shorter than that. `--quiet` silences both.
Used by the batch engine (sim.batch.runner) and by the command line's long
commands (sim.cli.progress), hence here, below both.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum

INTERVAL_ENV = "LABSIM_PROGRESS_SECONDS"
DEFAULT_INTERVAL = 5.0
BAR_REFRESH = 0.5  # seconds between two polls of the work done, on a terminal


class Mode(StrEnum):
    """How progress is shown: a live bar (a terminal), plain lines (a file or a pipe), or not at all (--quiet)."""

    BAR, LINES, OFF = "bar", "lines", "off"


def interval() -> float:
    """Seconds between two plain progress lines (LABSIM_PROGRESS_SECONDS, default 5; at least 0.05)."""
    try:
        return max(0.05, float(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


class Progress:
    """Work done out of `total` (None: unknown) on stderr, as a bar or as plain lines (see the module's docstring).

    `poll`, if given, is called twice a second on a terminal (at each line otherwise)
    for the work done so far, so a long function need not know about the progress;
    `advance` moves it by hand and `note` says what is being done (e.g. "warm-up").
    With `percent`, the work is a share in percent (the line reads "40%").
    """

    def __init__(self, label: str, total: int | None, quiet: bool = False, poll: Callable[[], float] | None = None,
                 percent: bool = False) -> None:
        self.label, self.total, self.poll, self.percent = label, total, poll, percent
        self.done, self.note = 0, ""
        self.mode = Mode.OFF if quiet else Mode.BAR if sys.stderr.isatty() else Mode.LINES
        self.on = self.mode is not Mode.OFF
        self._bar = self._thread = None
        self._stop = threading.Event()
        self._t0 = time.monotonic()

    def __enter__(self) -> Progress:
        self._t0 = time.monotonic()
        if self.mode is Mode.BAR:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            count = TextColumn("{task.percentage:>3.0f}%") if self.percent else MofNCompleteColumn()
            self._bar = RichProgress(TextColumn(self.label), BarColumn(), count, TimeElapsedColumn(),
                                 TextColumn("{task.fields[note]}"), console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, completed=self.done, note="")
        if self.on:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        every = BAR_REFRESH if self.mode is Mode.BAR else interval()
        while not self._stop.wait(every):
            if self.poll is not None:
                self.done = self.poll()
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done, note=self.note[:50])
            else:
                print(self.line(), file=sys.stderr, flush=True)

    def line(self) -> str:
        """The plain progress line, e.g. "run: 40%, 12 s so far, about 18 s left (warm-up)"."""
        elapsed = time.monotonic() - self._t0
        if self.total:
            share = min(max(self.done / self.total, 0.0), 1.0)
            done = f"{100 * share:.0f}%" if self.percent else f"{self.done:,} of {self.total:,}"
            left = f", about {elapsed * (1 - share) / share:,.0f} s left" if 0 < share < 1 else ""
        else:
            done, left = f"{self.done:,} done", ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.label}: {done}, {elapsed:,.0f} s so far{left}{note}"

    def advance(self, note: str | None = None) -> None:
        """One more unit of work done (and, if given, what is being done now)."""
        self.done += 1
        if note is not None:
            self.note = note
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, note=self.note[:50])

    def stage(self, note: str) -> None:
        """Say what is being done now (shown beside the bar, or at the end of the next line)."""
        self.note = note

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            self._bar.stop()
