"""A progress line on stderr for the commands that run for tens of seconds."""

from __future__ import annotations

import sys


class Bar:
    """A progress line on stderr (rich, as the batches' bar) for commands that run for tens of seconds.

    `poll` is called twice a second for the work done so far (so a long function
    need not know about the bar); `advance` moves it by hand. Silent with --quiet
    or when stderr is not a terminal, so that piped output and logs stay clean.
    """

    def __init__(self, label: str, total: int | None, quiet: bool = False, poll=None) -> None:
        self.label, self.total, self.poll, self.done = label, total, poll, 0
        self.on = not quiet and sys.stderr.isatty()
        self._bar = self._thread = None

    def __enter__(self):
        if self.on:
            import threading

            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.fields[note]}"), console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, note="")
            self._stop = threading.Event()
            if self.poll is not None:
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self._bar.update(self._task, completed=self.poll())

    def advance(self, note: str = "") -> None:
        """One more unit of work done."""
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, note=note[:50])

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
            self._bar.stop()
