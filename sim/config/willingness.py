"""Willingness to pay: the share of people a price keeps.

Each person's willingness to pay for a visit is lognormal (median
`wtp_median`, spread `wtp_sigma`), calibrated to the UK museums' free-entry
natural experiment (Martin 2003: a EUR 5 fee keeps ~60% of would-be visitors).
Plain math, no numpy: the map of lab models and `labsim validate` use it
without loading the model (`sim.config.scenario.derived_map`).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

NORMAL = NormalDist()


def fee_acceptance(fee: float, settings: Any) -> float:
    """Share of people whose willingness to pay a visit covers the fee: P(wtp >= fee), wtp lognormal."""
    if fee <= 0:
        return 1.0
    if settings.wtp_sigma <= 0:
        return float(settings.wtp_median >= fee)
    return 1.0 - NORMAL.cdf((math.log(fee) - math.log(settings.wtp_median)) / settings.wtp_sigma)
