"""Which knobs matter: Morris screening and Sobol indices (SALib), run through the batch engine.

A sensitivity file is an experiment file (one base scenario, replications,
root seed, years) with a [sensitivity] table instead of a grid:

    [sensitivity]
    n = 8                      # Morris: trajectories; Sobol: base samples (N (d + 2) points)
    outputs = ["visitors", "contributors", "partners"]
    bounds = { mediators = [2, 20], open_documentation = [0.0, 1.0] }

SALib's sample -> evaluate -> analyze: the design points are run as a batch
(resumable, local or Dask), replications are averaged per point, and the
run-to-run noise is reported beside the indices, because noise inflates them
(a knob with no effect still gets sigma and S_T from noise alone).

Indices know their limits (`convergence`): per output, the widest 95% interval
of an influential parameter relative to its index, the indices outside [0, 1]
beyond their interval (Sobol), and the noise share; when these say the design
is too small, a warning recommends a sample size (intervals shrink as 1/sqrt(n))
and a number of replications.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity_spec import SensitivitySpec, load_spec  # noqa: F401 (its callers import it here)
from sim.batch.experiment import Experiment, cast_point
from sim.batch.runner import run_batch
from sim.batch.store import Store
from sim.config.files import show
from sim.config.scenario import nearest
from sim.config.specs.batch import MAX_N
from sim.errors import LabsimError
from sim.metrics import LADDER_KEYS, NETWORK_KEYS
from sim.outcomes import number

METHODS = ("morris", "sobol")
NUM_LEVELS = 4  # Morris grid levels
TARGET_RATIO = 0.5  # an influential index is known when its 95% CI half-width is at most half the index
INFLUENTIAL = 0.1  # influential: an index at least this share of the output's largest
NOISE_LIMIT = 0.2  # at most this share of the variance between points may be run-to-run noise


def check_metrics(names, where: str) -> list[str]:
    """Problems with metric names (suggesting the nearest known one)."""
    known = LADDER_KEYS + NETWORK_KEYS
    if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
        return [f"{where}: got {show(names)}; allowed: a non-empty list of metric names"]
    return [f"{where}: unknown metric '{m}'{nearest(m, known)}" for m in names if m not in known]


def design(spec: SensitivitySpec, method: str) -> np.ndarray:
    """SALib's sample of the unit design, scaled to the bounds."""
    from SALib.sample import morris, sobol

    if method == "morris":
        return morris.sample(spec.problem, spec.n, num_levels=NUM_LEVELS, seed=spec.root_seed)
    return sobol.sample(spec.problem, spec.n, calc_second_order=False, seed=spec.root_seed)


def run_sensitivity(spec: SensitivitySpec, method: str, out: Path, workers: int | None = None,
                    executor: str = "local", scheduler: str | None = None, quiet: bool = False,
                    force: bool = False, allow_large: bool = False,
                    dest: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sample, run (as a resumable batch under out/batch), analyse; write sensitivity.csv and noise.csv into dest."""
    if method not in METHODS:
        raise LabsimError(f"--method: got {method!r}; allowed: {', '.join(METHODS)}")
    x = design(spec, method)
    points = [cast_point(dict(zip(spec.names, row.tolist(), strict=True))) for row in x]
    exp = Experiment(name=f"{spec.name}-{method}", scenarios=[spec.scenario], points=points,
                     replications=spec.replications, root_seed=spec.root_seed, years=spec.years,
                     source={"kind": "sensitivity", "method": method, "n": spec.n, "names": spec.names,
                             "bounds": spec.bounds, "outputs": spec.outputs})
    if spec.states:
        exp.from_states(spec.states, "from")
        exp.source["from"] = exp.states
    run_batch(exp, out / "batch", workers=workers, executor=executor, scheduler=scheduler, quiet=quiet, force=force,
              allow_large=allow_large)
    runs = Store(out / "batch").runs()
    failed = int((runs["status"] != "ok").sum())
    if failed:
        raise LabsimError(f"{out}: {failed} runs failed; see {out / 'batch' / 'runs.parquet'} and re-run to retry them")
    indices, noise_df = analyse(spec, method, x, runs)
    dest = out if dest is None else dest
    from sim.io import atomic_write, csv_bytes

    atomic_write(dest / "sensitivity.csv", csv_bytes(indices))
    atomic_write(dest / "noise.csv", csv_bytes(noise_df))
    atomic_write(dest / "sensitivity.json", json.dumps({"method": method, "scenario": spec.scenario,
                                                        "n": spec.n, "points": len(points),
                                                        "replications": spec.replications,
                                                        "root_seed": spec.root_seed}, indent=2).encode())
    return indices, noise_df


def analyse(spec: SensitivitySpec, method: str, x: np.ndarray, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indices of the design `x` from its runs (`point` = row of x); per output, the noise and `convergence`.

    A function of the design and the runs' table only: `run_sensitivity` runs
    the batch and writes the files around it.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # constant outputs: SALib and numpy divide by 0
        warnings.simplefilter("ignore", RuntimeWarning)
        indices, noise = _indices(spec, method, x, runs)
    return indices, noise.merge(convergence(indices, noise, method, spec.n, spec.replications), on="output")


def _indices(spec: SensitivitySpec, method: str, x: np.ndarray, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indices per output from the mean of each point's replications, and the share of noise."""
    from SALib.analyze import morris, sobol

    by_point = runs.groupby("point")[spec.outputs]
    y_mean, y_var = by_point.mean().sort_index(), by_point.var(ddof=1).sort_index()
    rows, noise = [], []
    for output in spec.outputs:
        y = y_mean[output].to_numpy(dtype=float)
        total = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
        within = float(np.nanmean(y_var[output].to_numpy(dtype=float))) / spec.replications if spec.replications > 1 \
            else float("nan")
        noise.append({"output": output, "variance_between_points": total, "noise_variance_of_means": within,
                      "noise_share": within / total if total > 0 else float("nan")})
        if method == "morris":
            res = morris.analyze(spec.problem, x, y, num_levels=NUM_LEVELS, conf_level=0.95, seed=spec.root_seed)
            for i, name in enumerate(spec.names):
                rows.append({"output": output, "parameter": name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i], "mu": res["mu"][i]})
        else:
            res = sobol.analyze(spec.problem, y, calc_second_order=False, conf_level=0.95, seed=spec.root_seed)
            for i, name in enumerate(spec.names):
                rows.append({"output": output, "parameter": name, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    indices, noise_df = pd.DataFrame(rows), pd.DataFrame(noise)
    key = "mu_star" if method == "morris" else "ST"
    indices["rank"] = indices[key].fillna(0).groupby(indices["output"]).rank(ascending=False, method="min").astype(int)
    return indices, noise_df


def convergence(indices: pd.DataFrame, noise: pd.DataFrame, method: str, n: int, replications: int) -> pd.DataFrame:
    """Per output: is the design large enough for its indices to mean something, and if not, how large should it be.

    - `ci_ratio`: the widest 95% CI half-width relative to its index, among the
      influential parameters (index >= INFLUENTIAL x the output's largest);
    - `out_of_range`: Sobol indices outside [0, 1] by more than their CI;
    - `noise_share`: run-to-run noise in the variance between design points.
    The design is `converged` when ci_ratio <= TARGET_RATIO, nothing is out of
    range and the noise share <= NOISE_LIMIT; else `recommended_n` (CIs shrink
    as 1/sqrt(n); for Sobol a power of two) and `recommended_replications`.
    """
    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    rows = []
    for output, sub in indices.groupby("output", sort=False):
        index = sub[key].abs().fillna(0.0)
        top = float(index.max()) if len(index) else 0.0
        strong = sub[index >= INFLUENTIAL * top] if top > 0 else sub.iloc[0:0]
        ratio = float((strong[conf] / strong[key].abs()).max()) if len(strong) else float("nan")
        if method == "sobol":
            out_of_range = sum(int(((sub[k] + sub[f"{k}_conf"] < 0) | (sub[k] - sub[f"{k}_conf"] > 1)).sum())
                               for k in ("S1", "ST"))
        else:
            out_of_range = 0
        share = float(noise.set_index("output").loc[output, "noise_share"])
        reasons = []
        need_n = n
        if ratio == ratio and ratio > TARGET_RATIO:
            reasons.append(f"95% CIs up to {ratio:.0%} of the index")
            need_n = max(need_n, int(np.ceil(n * (ratio / TARGET_RATIO) ** 2)))
        if out_of_range:
            reasons.append(f"{out_of_range} indices outside [0, 1] beyond their CI")
            need_n = max(need_n, 4 * n)
        if method == "sobol" and need_n > n:
            need_n = int(2 ** np.ceil(np.log2(need_n)))  # Saltelli's scheme is balanced at powers of two
        need_reps = replications
        if share == share and share > NOISE_LIMIT:
            reasons.append(f"noise {share:.0%} of the variance between points")
            need_reps = int(np.ceil(max(replications, 1) * share / NOISE_LIMIT))
        rows.append({"output": output, "ci_ratio": ratio, "out_of_range": out_of_range,
                     "converged": not reasons, "recommended_n": int(min(need_n, MAX_N)),
                     "recommended_replications": need_reps, "why": "; ".join(reasons)})
    return pd.DataFrame(rows)


def warnings_of(noise: pd.DataFrame, method: str) -> list[str]:
    """One warning per output whose indices cannot be trusted yet, with the design that would do."""
    if "converged" not in noise.columns:
        return []
    out = []
    for r in noise[~noise["converged"].astype(bool)].itertuples():
        size = "trajectories" if method == "morris" else "base samples"
        out.append(f"{r.output}: the design is too small for meaningful indices ({r.why}); recommended: "
                   f"[sensitivity] n = {r.recommended_n} {size}" +
                   (f" and replications = {r.recommended_replications}" if r.recommended_replications else ""))
    return out


def format_table(indices: pd.DataFrame, noise: pd.DataFrame, method: str) -> str:
    """Indices per output, most influential first, with the noise share."""
    cols = ["mu_star", "mu_star_conf", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    lines = []
    for output, sub in indices.groupby("output", sort=False):
        share = noise.set_index("output").loc[output, "noise_share"]
        said = "n/a with one replication" if share != share else f"{share:.1%} of the variance between design points"
        lines.append(f"\n{output}   (run-to-run noise: {said})")
        lines.append(f"  {'parameter':<28}" + "".join(f"{c:>14}" for c in cols))
        for r in sub.sort_values("rank").itertuples():
            lines.append(f"  {r.parameter:<28}" + "".join(f"{number(getattr(r, c)):>14}" for c in cols))
    warned = warnings_of(noise, method)
    if warned:
        lines.append("")
        lines += [f"warning: {w}" for w in warned]
    return "\n".join(lines).lstrip("\n")
