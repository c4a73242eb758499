"""Failed runs, counted and said: how many, which scenario or point fell short, and the first reason.

Every command that drops a failed run (compare, map, batch, sensitivity, optimize,
calibrate) counts its failures here, so that none is silent: the count and the first
reason lead the terminal's output and the report's first screen, and the command
exits 1 (`RunsFailedError`, one line) when fewer than the asked replications of a
scenario or design point succeeded, unless the user said `--allow-failures`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import LabsimError

REASON_CHARS = 160  # the first reason, cut to stay on one line
COMMENT = "# failed runs: "  # a calibrated.toml's first line when runs failed (the report's first screen reads it)


class RunsFailedError(LabsimError):
    """Fewer runs succeeded than asked: one line on stderr and exit status 1 (not 2: the input was good)."""

    exit_code = 1


@dataclass(frozen=True)
class Failures:
    """The failed runs of one command: counts, the groups that fell short and the first reason."""

    failed: int = 0  # runs that failed (or never came back)
    total: int = 0  # runs asked
    first: str = ""  # the first failed run's error, on one line
    short: list[tuple[str, int, int]] = field(default_factory=list)  # (group, succeeded, asked) below the ask
    where: str = ""  # the file that holds every run's status and error

    @staticmethod
    def first_reason(runs: pd.DataFrame) -> str:
        """The first failed run's error (by run id), on one line and cut short; '' when none failed."""
        failed = runs[runs["status"] != "ok"] if len(runs) else runs
        if not len(failed):
            return ""
        error = failed.sort_values("run_id")["error"].iloc[0] if "error" in runs.columns else ""
        return " ".join(str(error or "no error recorded").split())[:REASON_CHARS]

    @classmethod
    def of(cls, runs: pd.DataFrame, asked: int, by: str | list[str] = "scenario", total: int | None = None,
           where: Path | str = "", groups: list | None = None, label: str = "") -> Failures:
        """Count the runs of a batch's table: `asked` replications per group of `by` (every group of `groups`).

        `label` names a group in words (`"point {}"`), else its values are shown.
        """
        by = [by] if isinstance(by, str) else list(by)
        if runs is None or not len(runs):
            expected = len(groups or []) * asked if total is None else total
            return cls(expected, expected, "no run came back", [], str(where)) if expected else cls()
        ok = runs["status"] == "ok"
        first = cls.first_reason(runs)
        counts = runs[ok].groupby(by).size() if ok.any() else pd.Series(dtype=int)
        keys = list(groups) if groups is not None else list(dict.fromkeys(
            runs[by].itertuples(index=False, name=None)))
        short = []
        for key in keys:
            key = key if isinstance(key, tuple) else (key,)
            got = int(counts.get(key if len(key) > 1 else key[0], 0))
            if got < asked:
                name = ", ".join(str(k) for k in key)
                short.append((label.format(name) if label else name, got, asked))
        expected = len(keys) * asked if total is None else total
        failed = max(int((~ok).sum()), expected - int(ok.sum()))
        return cls(failed, expected, first, short, str(where))

    @classmethod
    def from_dict(cls, data: dict | None) -> Failures:
        """Back from `as_dict` (a result's JSON)."""
        if not data:
            return cls()
        return cls(int(data["failed"]), int(data["total"]), str(data["first"]),
                   [(str(g), int(got), int(asked)) for g, got, asked in data["short"]], str(data["where"]))

    def __add__(self, other: Failures) -> Failures:
        """Two batches' failures together (optimize's evaluations, calibrate's screen and check)."""
        return Failures(self.failed + other.failed, self.total + other.total, self.first or other.first,
                        self.short + other.short, self.where or other.where)

    def __bool__(self) -> bool:
        """True when a run failed."""
        return self.failed > 0

    def sentence(self) -> str:
        """'1 of 6 runs failed (tiny_two: 2 of 3 succeeded); first reason: ...' ('' when none failed)."""
        if not self:
            return ""
        shown = "; ".join(f"{g}: {got} of {asked} succeeded" for g, got, asked in self.short[:3])
        more = f"; and {len(self.short) - 3} more" if len(self.short) > 3 else ""
        where = f" (every run's status and error: {self.where})" if self.where else ""
        return (f"{self.failed} of {self.total} runs failed" + (f" ({shown}{more})" if shown else "")
                + f"; first reason: {self.first or 'unknown'}{where}")

    def as_dict(self) -> dict:
        """For a result's JSON (the report's first screen reads it)."""
        return {"failed": self.failed, "total": self.total, "first": self.first,
                "short": [list(s) for s in self.short], "where": self.where, "sentence": self.sentence()}

    def check(self, allow: bool, command: str, each: bool = True) -> None:
        """Refuse (exit 1) when runs failed, unless `allow` (--allow-failures): the results would hide them.

        With `each`, a group none of whose runs succeeded is refused even when allowed (nothing to compare).
        """
        if self and not allow:
            raise RunsFailedError(f"{command}: {self.sentence()}; run the same command again to retry the failed runs, or "
                             "add --allow-failures to use the runs that finished")
        empty = [g for g, got, _ in self.short if got == 0] if each else []
        if empty:  # nothing to use, allowed or not
            raise RunsFailedError(f"{command}: no run of {', '.join(empty[:3])}{' and more' if len(empty) > 3 else ''} "
                             f"succeeded: {self.sentence()}")

    def warning(self) -> str:
        """The terminal's first line when failures are allowed ('' when none failed)."""
        return f"warning: {self.sentence()}; the results below use the runs that finished" if self else ""
