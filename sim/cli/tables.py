"""The tables a command prints: a run's main outcomes, a map's grid, each no wider than the terminal."""

from __future__ import annotations

from sim.text import wrapped_table

SHOWN = (
    "visitors",
    "returning_visitors",
    "contributors",
    "partners",
    "mediators",
    "artists",
    "workshops_held",
    "events_held",
    "residencies_completed",
    "works_produced",
    "revenue",
    "blog_articles_published",
    "gini_visits",
    "nodes",
    "edges",
    "density",
    "giant_component_share",
    "mediator_betweenness_share",
)


def grid_table(grid, keys: tuple[str, ...]) -> str:
    """The map's mean outcomes per point, formatted by the registry (no scientific notation)."""
    from sim import outcomes

    cols = ["public_market", "open_closed", *keys]
    heads = tuple(c if c in ("public_market", "open_closed") else outcomes.label(c, unit=False) for c in cols)
    rows = [tuple(f"{r[c]:.2f}" if c in ("public_market", "open_closed") else outcomes.fmt(c, r[c]) for c in cols)
            for _, r in grid.iterrows()]
    return wrapped_table(heads, rows, right=tuple(range(len(cols))))  # long labels wrap in their column


def outcome_table(summaries: dict[str, dict], width: int = 100) -> str:
    """The main outcomes of one or more runs, labelled with units from the registry, no wider than `width`.

    Scenarios beyond what fits side by side are printed in further blocks of
    columns, so a long name never pushes the table past the terminal.
    """
    from sim import outcomes

    names = list(summaries)
    keys = [k for k in SHOWN if any(k in s for s in summaries.values())]
    keys += [k for k in outcomes.BUDGET_KEYS if k not in keys and any(k in s for s in summaries.values())]
    labels = {k: outcomes.label(k) for k in keys}
    first = max(len("outcome (unit)"), *(len(v) for v in labels.values()))
    cells = {n: [outcomes.fmt(k, summaries[n].get(k)) for k in keys] for n in names}
    widths = {n: max(len(n), *(len(c) for c in cells[n])) for n in names}
    blocks, block = [], []
    for n in names:
        if block and first + sum(widths[b] + 2 for b in [*block, n]) > width:
            blocks.append(block)
            block = []
        block.append(n)
    blocks.append(block)
    lines = []
    for block in blocks:
        head = f"{'outcome (unit)':<{first}}" + "".join(f"  {n:>{widths[n]}}" for n in block)
        lines += ["" if lines else None, head, "-" * len(head)]
        lines += [f"{labels[k]:<{first}}" + "".join(f"  {cells[n][i]:>{widths[n]}}" for n in block)
                  for i, k in enumerate(keys)]
    return "\n".join(line for line in lines if line is not None)
