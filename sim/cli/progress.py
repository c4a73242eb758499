"""The progress of the command line's long commands: sim.progress's, a bar on a terminal, plain lines otherwise.

`RunClock` turns one run's model clock into a share done, so that `labsim run`,
`casestudy` and `log synth` show where the simulation is (warm-up or measured
years) without the model knowing about progress.
"""

from __future__ import annotations

from sim.kinds import DAYS_PER_YEAR
from sim.progress import Progress as Bar

__all__ = ["Bar", "RunClock"]


class RunClock:
    """A run's share done (percent of its simulated days), read from its model's clock by the progress thread.

    Give `watch` to sim.run.run (or simulate) and `percent` to a `Bar(..., percent=True)`;
    the bar's note says "warm-up", "measured years" or, once the clock has stopped,
    "summary and network measures".
    """

    def __init__(self, years: float, bar: Bar | None = None, after: str = "summary and network measures") -> None:
        self.years, self.bar, self.after = years, bar, after
        self.model, self.start = None, 0.0

    def watch(self, model) -> None:
        """Remember the model (before it runs) and where its clock starts (0, or a saved lab's day)."""
        self.model, self.start = model, float(model.time)

    def percent(self) -> float:
        """The share of the run's days simulated so far, in percent; the bar's note follows the phase."""
        model = self.model
        if model is None:
            if self.bar is not None:
                self.bar.stage("starting: the model and its lab")
            return 0.0
        now, begin = float(model.time), float(model.measure_start)
        end = begin + self.years * DAYS_PER_YEAR
        if self.bar is not None:
            self.bar.stage("warm-up" if now < begin else "measured years" if now < end else self.after)
        return 100.0 * min(1.0, (now - self.start) / max(end - self.start, 1e-9))
