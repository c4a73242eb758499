"""The sensitivity figure: each parameter's indices per output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def sensitivity_figure(indices, method: str):
    """One panel per output: mu* with its CI and sigma (Morris), or S1 and ST with CIs (Sobol)."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.2 * len(outputs), 0.45 * indices["parameter"].nunique() + 2),
                             squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        sub = indices[indices["output"] == output].sort_values("rank", ascending=False)
        y = np.arange(len(sub))
        if method == "morris":
            ax.barh(y, sub["mu_star"], xerr=sub["mu_star_conf"], color="C0", label="mu*", capsize=2)
            ax.plot(sub["sigma"], y, "k|", markersize=12, label="sigma")
        else:
            ax.barh(y - 0.2, sub["S1"], 0.4, xerr=sub["S1_conf"], color="C0", label="S1", capsize=2)
            ax.barh(y + 0.2, sub["ST"], 0.4, xerr=sub["ST_conf"], color="C1", label="ST", capsize=2)
        ax.set_yticks(y, sub["parameter"], fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.legend(frameon=False, fontsize=7)
    fig.suptitle(f"Sensitivity ({'Morris screening' if method == 'morris' else 'Sobol indices'}), 95% CIs")
    fig.tight_layout()
    return fig
