"""One output folder per command: claimed, locked, staged, and told what ran (its labsim.json).

Every command that writes a folder goes through `output_folder`, so the policy is
written once: the folder is claimed when the object is made (before anything is
written: a new folder, or labsim's of this kind, sim.io.claim_out); entering it locks
the folder, marks a new one as this command's at once (`first_write`: a kill -9 at any
moment leaves a folder the same command resumes) and, unless the command's own layer
stages (a run, a batch), opens a staging
folder that replaces `--out` only when everything is written; leaving it records what ran
(labsim.json: the kind, the command line, the --set changes, the request's fingerprint)
if the command has not recorded more itself (its scenarios, resolved).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any


def command_line(args) -> str:
    """The command as typed (for labsim.json: what wrote the folder)."""
    return shlex.join(["labsim", *getattr(args, "argv", [])])


def marker(args, kind: str, request: Any = None, changes: dict | None = None, finished: bool = True) -> bytes:
    """A folder's labsim.json: its kind, the command line, the --set changes and the request's fingerprint."""
    from sim.io import marker_bytes

    return marker_bytes(kind, request, command_line(args), changes, finished)


def what_ran(args, kind: str, request: Any, scenario, changes: dict | None = None) -> dict[str, bytes]:
    """A result folder's labsim.json and scenario.toml (the resolved scenario, --set changes included)."""
    from sim.config.scenario import scenario_toml
    from sim.io import MARKER

    note = f"{scenario.name}, resolved (every key) as it ran, by: {command_line(args)}"
    return {MARKER: marker(args, kind, request, changes), "scenario.toml": scenario_toml(scenario, note).encode()}


class OutputFolder:
    """A command's output folder, claimed for one kind of results (see the module's docstring).

    Use it as `with output_folder(args, kind, request) as folder:` and write into
    `folder.tmp`; or, for a command whose lower layer locks and stages (warmup, batch),
    only make it (the claim) and hand `what_ran`/`record` to that layer.
    """

    def __init__(self, args, kind: str, request: Any = None, out: Path | None = None, forceable: bool = True,
                 stage: bool = True, replace: bool = False) -> None:
        """Claim the folder (sim.io.claim_out): refused in one line before anything is written."""
        from sim.io import claim_out

        self.args, self.kind, self.request = args, kind, request
        self.out = Path(out if out is not None else args.out)
        self.stage, self.replace = stage, replace
        self.tmp: Path | None = None
        self.recorded = False
        self._stack = ExitStack()
        claim_out(self.out, kind, request, force=getattr(args, "force", False), command=command_line(args),
                  forceable=forceable)

    def __enter__(self) -> OutputFolder:
        """Lock the folder, and stage into `tmp` unless the command's own layer stages."""
        from sim.io import locked

        with ExitStack() as stack:
            stack.enter_context(locked(self.out))
            stack.enter_context(self.first_write())
            if self.stage:
                self.tmp = stack.enter_context(self.staged())
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc) -> bool | None:
        """Record what ran (if not yet), put the staged folder in place, unlock; all undone on an error."""
        return self._stack.__exit__(*exc)

    @contextmanager
    def first_write(self):
        """In a new (or as good as empty) folder, write an unfinished labsim.json before anything else.

        The command's end replaces it with the full record; if the command fails having
        written nothing else, it is taken away again (the folder is as it was).
        """
        from sim.io import MARKER, atomic_write, folder_kind, unfinished

        marker = self.out / MARKER
        wrote = folder_kind(self.out) == (None, None)
        if wrote:
            atomic_write(marker, self.marker(finished=False))
        try:
            yield
        except BaseException:
            if wrote and unfinished(self.out) and folder_kind(self.out) == (None, None):
                marker.unlink(missing_ok=True)
            raise

    @contextmanager
    def staged(self):
        """A staging folder that becomes `out` when the block ends without error; recorded then if not before."""
        from sim.io import staged

        with staged(self.out, replace=self.replace) as tmp:
            self.tmp, self.recorded = tmp, False
            yield tmp
            if not self.recorded:
                self.record()

    def marker(self, changes: dict | None = None, finished: bool = True) -> bytes:
        """The folder's labsim.json (`finished=False`: the one written at the first write)."""
        return marker(self.args, self.kind, self.request, changes, finished)

    def what_ran(self, scenario, changes: dict | None = None) -> dict[str, bytes]:
        """labsim.json and scenario.toml, for a layer that writes the folder itself (a run, a warm-up)."""
        return what_ran(self.args, self.kind, self.request, scenario, changes)

    def record(self, refs: Iterable = (), changes: dict | None = None, scenario=None, into: Path | None = None) -> None:
        """Write what ran into the staging folder (or `into`): labsim.json, and the scenarios resolved.

        Each scenario of `refs` becomes scenarios/<slug>.toml (a batch's, a map's); `scenario`
        becomes scenario.toml (a calibration's). Recording into the staging folder is what
        the end of the block would otherwise do with labsim.json alone.
        """
        from sim.config.scenario import load_scenario, scenario_toml
        from sim.io import MARKER, atomic_write, slug

        folder = Path(into if into is not None else self.tmp)
        for ref in refs:
            loaded = load_scenario(ref)
            note = f"{loaded.name}, resolved (every key) as it ran, by: {command_line(self.args)}"
            atomic_write(folder / "scenarios" / f"{slug(loaded.name)}.toml", scenario_toml(loaded, note).encode())
        files = self.what_ran(scenario, changes) if scenario is not None else {MARKER: self.marker(changes)}
        for name, data in files.items():
            atomic_write(folder / name, data)
        self.recorded = into is None


def output_folder(args, kind: str, request: Any = None, **how) -> OutputFolder:
    """The one output-folder policy of the command line: see OutputFolder (claimed now, locked when entered)."""
    return OutputFolder(args, kind, request, **how)
