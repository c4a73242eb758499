"""Scenario discovery on a batch: the box of settings in which a condition on the outcomes holds.

PRIM (Friedman and Fisher 1999, as used for scenario discovery by Bryant and
Lempert 2010) peels the box of the design's settings step by step, each step
trading coverage (the share of the runs where the condition holds that stay in
the box) for density (the share of the runs in the box where it holds). The
implementation is the `prim` package (the standalone port of EMA Workbench's
PRIM): two small dependencies, where EMA Workbench brings statsmodels,
scikit-learn, seaborn and Platypus. Each limit of the chosen box carries the
quasi-p-value of Bryant and Lempert (a one-sided binomial test of the density
with and without that restriction), as EMA Workbench gives it.

The chosen box is the densest step of the trajectory whose coverage is at
least `min_coverage` (0.8 by default): most of the runs where the condition
holds, with as few of the others as the trade-off allows. Its figures are
`sim.figures.discovery`'s, its files and page `sim.pages.discovery`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import condition
from sim.errors import LabsimError

MIN_COVERAGE = 0.8
PEEL_ALPHA = 0.05
MASS_MIN = 0.05
SIGNIFICANT = 0.05  # a limit whose quasi-p-value is below this is unlikely to be chance
MIN_CASES = 10


@dataclass
class Discovery:
    """What PRIM found: the trajectory, the chosen step, its limits and the data it ran on."""

    where: str
    x: pd.DataFrame
    y: np.ndarray
    trajectory: pd.DataFrame  # step, coverage, density, mass, restricted
    chosen: int
    limits: pd.DataFrame  # setting, low, high, sample_low, sample_high, restricted, qp_value, significant
    tree: str = ""


def load_batch(folder: Path, where: str, by: str = "run") -> tuple[pd.DataFrame, np.ndarray, str]:
    """The design's settings and where the condition holds, per run (or per design point, on the means).

    Refuses, in one line and before anything is written, a folder without a
    batch, a batch whose design varies no setting, and a condition naming a
    column the batch does not have.
    """
    from sim.analysis.summary import load_runs, metric_columns

    runs, manifest = load_runs(Path(folder))
    varied = [c for c in (manifest.get("experiment") or {}).get("varied", []) if c in runs.columns]
    if not varied:
        raise LabsimError(f"{folder}: the batch's design varies no setting; scenario discovery needs a batch whose "
                          "experiment has [grid] or [sample] (e.g. scenarios/experiments/governance_lhs.toml)")
    outcomes = metric_columns(runs, varied)
    tree = condition.parse(where, outcomes)
    if by == "point":
        runs = runs.groupby(["scenario", "point"], sort=True).agg({**dict.fromkeys(varied, "first"),
                                                     **dict.fromkeys(condition.names(tree), "mean")})
    x = runs[varied].reset_index(drop=True)
    return x, condition.evaluate(tree, runs), condition.text_of(tree)


def discover(x: pd.DataFrame, y: np.ndarray, where: str = "", min_coverage: float = MIN_COVERAGE,
             peel_alpha: float = PEEL_ALPHA, mass_min: float = MASS_MIN) -> Discovery:
    """Run PRIM on settings `x` and cases of interest `y` (bool); choose a box by the coverage rule."""
    import logging

    import prim

    logging.getLogger("prim").setLevel(logging.ERROR)
    y = np.asarray(y, dtype=bool)
    n_in = int(y.sum())
    if n_in == 0 or n_in == len(y):
        raise LabsimError(f"--where {where!r}: holds in {'none' if n_in == 0 else 'every one'} of the {len(y)} cases; "
                          "nothing to tell apart: choose a condition that holds in some cases and not in others")
    if len(y) < MIN_CASES:
        raise LabsimError(f"the batch has {len(y)} cases; scenario discovery needs at least {MIN_CASES}")
    x = x.reset_index(drop=True).copy()
    for col in x.columns:  # PRIM peels numbers as numbers and anything else as categories
        if pd.api.types.is_bool_dtype(x[col]) or not pd.api.types.is_numeric_dtype(x[col]):
            x[col] = x[col].astype(str).astype(object)
        else:
            x[col] = x[col].astype(float)
    p = prim.Prim(x, y.astype(int), threshold=0.5, threshold_type=">", peel_alpha=peel_alpha, mass_min=mass_min)
    box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    traj = pd.DataFrame({"step": np.arange(len(traj)), "coverage": traj["coverage"].astype(float),
                         "density": traj["density"].astype(float), "mass": traj["mass"].astype(float),
                         "restricted": traj["res dim"].astype(int)})
    ok = traj[traj["coverage"] >= min_coverage - 1e-12]
    chosen = int(ok.sort_values(["density", "coverage"], ascending=False)["step"].iloc[0]) if len(ok) else 0
    box.select(chosen)
    return Discovery(where, x, y, traj, chosen, _limits(box, x, chosen))


def _limits(box, x: pd.DataFrame, step: int) -> pd.DataFrame:
    """Every setting's limits at the chosen step, with the sample's range and the quasi-p-value of restricted ones."""
    lims = box._box_lims[step]  # the prim package keeps each step's limits; its `limits` lists only restricted ones
    qp = box._calculate_quasi_p(step)
    rows = []
    for col in x.columns:
        lo, hi = lims[col][0], lims[col][1]
        numeric = pd.api.types.is_float_dtype(x[col])
        if numeric:
            s_lo, s_hi = float(x[col].min()), float(x[col].max())
            rows.append({"setting": col, "low": float(lo), "high": float(hi), "sample_low": s_lo, "sample_high": s_hi,
                         "values": "", "restricted": col in qp})
        else:
            kept = sorted(lo) if isinstance(lo, set | frozenset) else sorted(set(x[col]))
            rows.append({"setting": col, "low": np.nan, "high": np.nan, "sample_low": np.nan, "sample_high": np.nan,
                         "values": ", ".join(map(str, kept)), "restricted": col in qp})
        rows[-1]["qp_value"] = float(qp[col]) if col in qp else np.nan
        rows[-1]["significant"] = bool(col in qp and qp[col] < SIGNIFICANT)
    return pd.DataFrame(rows).sort_values(["restricted", "qp_value"], ascending=[False, True]).reset_index(drop=True)


def tree_view(found: Discovery, max_depth: int = 3) -> str:
    """A shallow classification tree (scikit-learn) as a second view; '' if scikit-learn is not installed."""
    try:
        from sklearn.tree import DecisionTreeClassifier, export_text
    except ImportError:
        return ""
    x = pd.get_dummies(found.x, dtype=float)
    clf = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(2, len(x) // 20), random_state=0)
    clf.fit(x.to_numpy(), found.y)
    return export_text(clf, feature_names=list(x.columns), class_names=["no", "yes"], show_weights=True)


def sentence(found: Discovery) -> str:
    """The answer in words: the box's significant limits, its coverage and density."""
    t = found.trajectory.iloc[found.chosen]
    restricted = found.limits[found.limits["restricted"]]
    parts = []
    for r in restricted.itertuples():
        limit = (f"{r.setting} in {{{r.values}}}" if r.values else
                 f"{r.low:.4g} <= {r.setting} <= {r.high:.4g}" if r.low > r.sample_low and r.high < r.sample_high else
                 f"{r.setting} >= {r.low:.4g}" if r.low > r.sample_low else f"{r.setting} <= {r.high:.4g}")
        parts.append(limit + ("" if r.significant else " (not significant)"))
    where = " and ".join(parts) if parts else "no restriction (the whole design)"
    return (f"'{found.where}' holds in {int(found.y.sum())} of {len(found.y)} cases; in the box {where}, it holds in "
            f"{t['density']:.0%} of the cases (density), and the box keeps {t['coverage']:.0%} of the cases where it "
            f"holds (coverage), with {t['mass']:.0%} of all cases inside.")
