"""The log against the posterior predictive (`labsim calibrate --from-log ... --method abc`).

Settings drawn from the ABC posterior (by weight) each run once on a seed of
their own, with a visit recorder (`sim.logs.synth.synth`); each run's visits are
described as the log is (`sim.logs.describe.describe`), so the figures compare
like with like: weekly visits, the visit-count distribution (share of visitors
with at least k visits) and the survival of returners, the log's line against
the runs' 5-95% band and median. Suppression follows the log's description: only
points with 5 people or more are drawn. The figures are
`sim.figures.calibration.predictive_figures`; this module only simulates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DRAWS = 20  # posterior draws simulated for the figures


def _draw(scenario, settings: dict, seed: int, years: float) -> dict:
    """One posterior draw's run, described as a log: weekly visits, visits per visitor, survival (in a worker)."""
    from sim.logs.describe import describe
    from sim.logs.synth import synth
    from sim.logs.visitlog import VisitLog, hash_people

    log, _ = synth(scenario.with_settings(**settings), seed, years)
    frame = pd.DataFrame({"person_hash": hash_people(log["person"], b"predictive"), "date": pd.to_datetime(log["date"]),
                          "kind": log["kind"], "channel": log["channel"]})
    found = describe(VisitLog(frame, len(frame), 0, "draw"), scenario.settings)
    w = found.weekly
    return {"weekly": w.loc[w["days"] == 7, "visits"].to_numpy(), "counts": np.sort(found.counts),
            "survival": found.survival}


def simulate(scenario: str, posterior: pd.DataFrame, params: list[str], years: float, pool, seed: int,
             draws: int = DRAWS) -> list[dict]:
    """Run `draws` settings drawn from the weighted posterior, each on its own seed, on the pool's workers.

    A draw that fails (even one that kills its worker) is left out of the band; the pool is rebuilt for the rest.
    """
    from sim.config.scenario import load_scenario

    base = load_scenario(scenario)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 22]))
    picks = rng.choice(len(posterior), size=draws, p=posterior["weight"].to_numpy() / posterior["weight"].sum())
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=draws)]
    settings = [{k: posterior[k].iloc[i].item() for k in params} for i in picks]
    futures = [pool.executor.submit(_draw, base, s, seed, years) for s, seed in zip(settings, seeds, strict=True)]
    out = []
    for future in futures:
        try:
            out.append(future.result())
        except Exception:  # a failed draw only narrows the band; the fit is already done
            continue
    if len(out) < len(futures):
        pool.rebuild()
    return out
