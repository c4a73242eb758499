"""Record the presets' summaries on a fixed seed, the values a pure refactoring must keep byte for byte.

Run `python tests/golden/record.py` only when a change is meant to move the model's behaviour (a new
mechanism, a recalibration), and say so in the commit; a move, a rename or a new seam must leave
`tests/integration/test_golden.py` green without re-recording.
"""

import hashlib
import json
import sys
from pathlib import Path

import sim

PRESETS = ("carrefour_numerique", "digital_arti", "le_cube", "friche", "institution_culturelle")
SEED = 3
GOLDEN = Path(__file__).with_name("presets_seed3.json")


def record() -> dict:
    """Each preset's summary (but its version) and the SHA-256 of its weekly time series, one year, seed 3."""
    out = {}
    for name in PRESETS:
        result = sim.run(name, seed=SEED, years=1)
        summary = {k: v for k, v in result.summary.items() if k != "labsim_version"}
        series = result.timeseries.to_csv(index=False).encode()
        out[name] = {"summary": summary, "timeseries_sha256": hashlib.sha256(series).hexdigest()}
    return out


def dumps(values: dict) -> str:
    """The golden file's text: sorted keys, one value a line, so a diff names what moved."""
    return json.dumps(values, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    GOLDEN.write_text(dumps(record()))
    sys.stdout.write(f"wrote {GOLDEN}\n")
