"""labsim report: one self-contained HTML page for a results folder."""

from __future__ import annotations

from pathlib import Path

from sim.cli import options


def add_parser(sub) -> None:
    """The report command."""
    p = sub.add_parser("report", help="one self-contained HTML page for a run, batch, comparison or map folder",
                       parents=[options.focus(options.FOCUS_HELP + "; a comparison's or batch's page leads with them "
                                              "(default: those of compare --focus or of the experiment file's "
                                              "'focus')")])
    p.add_argument("folder", type=Path,
                   help="a results folder (run, batch, compare, map, sensitivity, calibrate, optimize)")


def run(args) -> int:
    """Write the folder's HTML report, in the folder it reads (never while another labsim process writes there)."""
    from sim.io import REPORTED, claim_folder, locked

    focus = options.focus_of(args)
    claim_folder(args.folder, REPORTED, "labsim report")  # the folder it reads is the one it writes into
    from sim.pages.report import build  # pandas and the figures: only once the folder is checked

    with locked(args.folder, check=False):
        print(f"report: {build(args.folder, focus)}")
    return 0
