"""Does the rewritten engine keep the model's statistics? Old code against new, seed for seed.

    .venv/bin/python benchmarks/compare_engines.py            # 20 seeds of the open and the closed preset
    .venv/bin/python benchmarks/compare_engines.py --seeds 40 --presets carrefour_numerique

Runs one measured year (after each preset's warm-up as it was before issue 19) of each seed with the code
of `baseline.BASELINE` (checked out into a temporary folder) and with the work
tree's, in two processes side by side, and prints a Markdown table: each
outcome's mean under both, and the difference (new - old) with its 95% interval
(Welch). Trajectories differ (the random numbers are drawn in another order);
the statistics should not: an interval that excludes 0 is flagged. The table
is reported in docs/ODD.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import BASELINE, ROOT, checkout, preamble

KEYS = ("visitors", "returning_visitors", "contributors", "partners", "subscribers", "visits", "revenue",
        "net_result", "density", "mediator_betweenness_share", "works_produced", "returner_survival_1y",
        "member_retention_1y", "residencies_completed", "blog_articles_published", "artists", "partner_organisations",
        "engineer_hours", "works_sold", "client_companies", "conversion_visitor_contributor", "contributors_active_end",
        "newcomers", "people_trained", "regular_visits", "docs_pages", "visitors_4plus_share", "newcomers_word_of_mouth",
        "newcomers_reputation", "conversion_contributor_partner")
WARMUP = {"carrefour_numerique": 2.0, "digital_arti": 4.0}  # the presets' warm-ups before issue 19: the same work for both
CHILD = """
import json
from sim.metrics import summary
from sim.run import simulate
from sim.config.scenario import load_scenario
sc = load_scenario({preset!r}).with_settings(warmup_years={warmup!r})
out = []
for seed in {seeds!r}:
    s = summary(simulate(sc, seed, 1.0))
    out.append({{k: s[k] for k in {keys!r}}})
print(json.dumps(out))
"""


def run(code: Path, preset: str, seeds: list[int]) -> list[dict]:
    """The summaries of `seeds` under the `sim` found in `code`, in a child interpreter."""
    text = preamble(code) + CHILD.format(preset=preset, seeds=seeds, keys=KEYS, warmup=WARMUP.get(preset, 2.0))
    out = subprocess.run([sys.executable, "-c", text], capture_output=True, text=True, check=True, cwd=code)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(preset: str, old: list[dict], new: list[dict]) -> str:
    """Markdown: mean old, mean new, difference and its 95% interval, flag when 0 is outside it."""
    lines = [f"| {preset} ({len(old)} seeds) | old | new | new - old [95% CI] | |", "|---|---|---|---|---|"]
    for key in KEYS:
        a = np.array([r[key] for r in old if r[key] is not None], dtype=float)
        b = np.array([r[key] for r in new if r[key] is not None], dtype=float)
        if a.size < 2 or b.size < 2:
            continue
        diff = b.mean() - a.mean()
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        if se > 0:
            dof = se**4 / ((a.var(ddof=1) / a.size) ** 2 / (a.size - 1) + (b.var(ddof=1) / b.size) ** 2 / (b.size - 1))
            half = stats.t.ppf(0.975, dof) * se
        else:
            half = 0.0
        flag = "" if abs(diff) <= half else "differs"
        lines.append(f"| {key} | {a.mean():,.4g} | {b.mean():,.4g} | {diff:+,.3g} [{diff - half:+,.3g}, "
                     f"{diff + half:+,.3g}] | {flag} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per preset and engine (default 20)")
    parser.add_argument("--presets", nargs="+", default=["carrefour_numerique", "digital_arti"])
    args = parser.parse_args()
    old_code, seeds = checkout(), list(range(args.seeds))
    print(f"old: {BASELINE} (checked out in {old_code}); new: the work tree ({ROOT})\n")
    for preset in args.presets:
        with ThreadPoolExecutor(2) as pool:  # each engine in its own process, side by side
            old, new = pool.map(run, (old_code, ROOT), (preset, preset), (seeds, seeds))
        print(table(preset, old, new) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
