"""How `log describe` tells a log that starts mid-life from a young one, measured on synthesised logs.

    .venv/bin/python benchmarks/log_onset.py              # 5 presets x 2 starts x 4 seeds, 1 year each (~3 min)
    .venv/bin/python benchmarks/log_onset.py --seeds 2    # fewer seeds

Each preset's measured year is written as a log (`sim.logs.synth`, as `labsim log synth` does) twice:
as shipped (a warm-up, and for the open lab an initial population: the log starts mid-life), and
with `warmup_years = 0` and no initial population (a lab that opens with its log: young). Each log is
described (`sim.logs.describe`) and its `start` printed: the kind, the ratio of first appearances per
day in its first 4 weeks to later, and the people seen then who behave like regulars. The rule and
its thresholds are `sim.logs.onset`'s; docs/ODD.md ("Visit logs") holds the table this prints.
Not a test: it prints, and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRESETS = ("carrefour_numerique", "digital_arti", "friche", "institution_culturelle", "le_cube")
YOUNG = {"warmup_years": 0.0, "initial_contributors": 0, "initial_partners": 0, "initial_dormant": 0,
         "initial_former_regulars": 0, "initial_awareness": 0.0, "initial_doc_pages": 0.0}


def described(scenario, seed: int) -> dict:
    """The `start` of one synthesised year's log."""
    import pandas as pd

    from sim.logs.describe import describe
    from sim.logs.synth import synth
    from sim.logs.visitlog import VisitLog, hash_people

    log, _ = synth(scenario, seed, 1.0)
    frame = pd.DataFrame({"person_hash": hash_people(log["person"].to_numpy(), b"onset"),
                          "date": pd.to_datetime(log["date"]), "kind": "visit", "channel": ""})
    return describe(VisitLog(frame, len(frame), 0, "synth.csv"), scenario.settings).summary["start"]


def main(argv: list[str] | None = None) -> int:
    """Print one row per preset and start: the kinds found over the seeds and the range of the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args(argv)
    from sim.config.scenario import load_scenario

    print(f"{'preset':<24} {'start':<9} {'kinds over seeds':<34} {'ratio':<12} regular_like")
    for name in PRESETS:
        for start in ("warm-up", "young"):
            scenario = load_scenario(name)
            if start == "young":
                scenario = scenario.with_settings(**YOUNG)
            found = [described(scenario, seed) for seed in range(1, args.seeds + 1)]
            seen = dict.fromkeys(f["kind"] for f in found)
            kinds = ", ".join(f"{k} {sum(f['kind'] == k for f in found)}" for k in seen)
            ratios = [f["first_seen_ratio"] for f in found if f["first_seen_ratio"] is not None]
            span = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"
            regulars = ", ".join(str(f["regular_like"]) for f in found)
            print(f"{name:<24} {start:<9} {kinds:<34} {span:<12} {regulars}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
