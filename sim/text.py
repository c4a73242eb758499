"""Plain-text tables no wider than a terminal: long cells wrap inside their column instead of the line."""

from __future__ import annotations

import difflib
import textwrap

WIDTH = 100  # every table labsim prints fits in 100 columns
GAP = 2  # spaces between columns


def counted(n: float, word: str, plural: str | None = None) -> str:
    """A number and its noun, which agrees with it: '1 measured year', '2 measured years', '0.5 years', '1,200 runs'."""
    shown = f"{n:,}" if isinstance(n, int) else f"{n:,g}"
    return f"{shown} {word if n == 1 else plural or word + 's'}"


def wrapped_table(head: tuple[str, ...], rows: list[tuple[str, ...]], width: int = WIDTH, min_width: int = 8,
                  right: tuple[int, ...] = ()) -> str:
    """`rows` under `head`, each line at most `width` characters (left-aligned; `right`: columns of numbers).

    Columns start at their longest cell; while the line is too wide, the column
    with the most room beyond its longest word gives up a character, so prose
    wraps on words and names and numbers stay whole; only if that is not enough
    are words broken (no column below `min_width`). Cells wrap within their
    column, a long sentence costing lines, not width; when a row wraps, rows are
    separated by a blank line so that each reads as one.
    """
    cells = [tuple(str(v) for v in row) for row in [head, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    words = [max(len(w) for row in cells for w in row[i].split() or [""]) for i in range(len(head))]

    def too_wide() -> bool:
        return sum(widths) + GAP * (len(widths) - 1) > width

    while too_wide() and any(w > f for w, f in zip(widths, words, strict=True)):
        i = max(range(len(widths)), key=lambda i: widths[i] - words[i])
        widths[i] -= 1
    while too_wide() and max(widths) > min_width:
        widths[widths.index(max(widths))] -= 1
    wrapped = [[textwrap.wrap(v, w, break_long_words=True, break_on_hyphens=False) or [""]
                for v, w in zip(row, widths, strict=True)] for row in cells]
    just = [str.rjust if i in right else str.ljust for i in range(len(head))]
    spaced = any(len(p) > 1 for parts in wrapped[1:] for p in parts)
    lines = []
    for n, parts in enumerate(wrapped):
        if spaced and n > 1:
            lines.append("")
        for k in range(max(len(p) for p in parts)):
            line = (" " * GAP).join(j(p[k] if k < len(p) else "", w) for p, w, j in zip(parts, widths, just, strict=True))
            lines.append(line.rstrip())
        if n == 0:
            lines.append("-" * min(width, sum(widths) + GAP * (len(widths) - 1)))
    return "\n".join(lines)


def frame_text(frame, width: int = WIDTH) -> str:
    """A pandas table as text, without its index, numbers to 4 significant digits with separators.

    From 10,000 up, a number is written whole (`271,600`, not `2.716e+05`); its columns go in blocks
    of at most `width` characters (pandas' line_width), so a wide table (optimize's Pareto front) is
    printed in parts rather than past the terminal.
    """
    return frame.to_string(index=False, float_format=lambda v: f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:,.4g}",
                           line_width=width)


def nearest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """Suggest the nearest known name, as ' (did you mean ...?)', or ''."""
    hits = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{hits[0]}'?)" if hits else ""
