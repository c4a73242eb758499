"""What every page shares: the Jinja2 environment (autoescape on), figures as data URIs, tables.

Pages are templates under sim/pages/templates (`base.html`: the head and the
CSS; `macros.html`: the shared pieces). Every value a template prints is
escaped by the environment, so a scenario named `<script>` is shown, never run;
the only markup that goes in as it is comes from `table` (pandas escapes the
cells) and figure data URIs (base64, no markup). Python here never writes a tag.
"""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sim.errors import LabsimError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@functools.cache
def environment() -> Environment:
    """The one environment: templates from the package, every value escaped, an unknown name an error."""
    env = Environment(loader=PackageLoader("sim.pages"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals["table"] = table
    return env


def render(template: str, **context) -> str:
    """Fill a template (a path under sim/pages/templates) with `context`."""
    return environment().get_template(template).render(**context)


def png(path: Path) -> str:
    """A figure file as a data URI ('' if it is missing, e.g. written with --no-figures).

    Only a regular file that is a PNG is embedded: a symlink (to any file the user can read) or
    anything else in its place is refused, so the page never carries another file's bytes.
    """
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise LabsimError(f"{path}: not a regular file (a link or a special file); labsim embeds only the figures "
                          "it wrote")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    if not data.startswith(PNG_MAGIC):
        raise LabsimError(f"{path}: not a PNG image; labsim embeds only the figures it wrote")
    return "data:image/png;base64," + base64.b64encode(data).decode()


def figure_png(fig) -> str:
    """A matplotlib figure drawn straight into a data URI (a page's own figure, not saved as a file), then closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


CALENDAR = ("year", "month", "week", "day")  # columns of dates' parts: 2024, not 2,024


def cell(value, column: str = ""):
    """A cell as a reader wants it: about three significant digits, separators, never scientific; text as it is.

    Every float is formatted, also in a column of mixed cells (a log's table where
    small counts are suppressed as text would otherwise show 0.163668); a calendar
    column's whole numbers stay plain.
    """
    from sim.outcomes import number

    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if value.is_integer() and column.lower() in CALENDAR:
        return str(int(value))
    return number(value)


def heading(column) -> str:
    """A column's heading: an outcome's label and unit from the registry (e.g. "Returning visitors (people)")."""
    from sim import outcomes

    return outcomes.label(column) if isinstance(column, str) and column in outcomes.REGISTRY else str(column)


def table(df: pd.DataFrame, numbers: bool = True) -> Markup:
    """A data frame as an HTML table, every cell escaped by pandas; outcome labels as headings; numbers readable."""
    shown = df.copy()
    if numbers:
        for column in shown.columns:
            shown[column] = shown[column].astype(object).map(lambda v, c=str(column): cell(v, c))
    shown.columns = [heading(c) for c in shown.columns]
    return Markup(shown.to_html(index=False, border=0, na_rep="-", escape=True))
