"""The scenario keys as text: docs/scenarios.md and `labsim scenarios --describe`, rendered from the schema."""

from __future__ import annotations

from sim.config.schema import FILE_KEYS, GROUP_TITLES, GROUPS, PARAMS, profile_text


def markdown() -> str:
    """Render the scenario-key reference (docs/scenarios.md) from PARAMS."""
    lines = [
        "# Scenario keys",
        "",
        "Generated from `sim/config/schema.py` by `labsim scenarios --describe --markdown`; do not edit by hand.",
        "A scenario file is TOML with flat keys; a key left out takes its default.",
        "",
        "Column *on a day*: **yes** if an intervention or a policy forked from a saved mature lab",
        "(`labsim warmup`, `--from`) can change the key on a given day; **start only** if the key defines how",
        "the lab started (its initial population, its warm-up), which a fork refuses by name.",
        "",
        "## File keys",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *(f"| `{k}` | {t} | {d} | {m} |" for k, t, d, m in FILE_KEYS),
    ]
    for group in GROUPS:
        lines += [
            "",
            f"## {GROUP_TITLES[group]}",
            "",
            "| key | unit | default | allowed | on a day | meaning | source |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in PARAMS:
            if p.group == group:
                default = (
                    str(p.default).lower() if p.kind is bool else repr(p.default) if p.kind is str
                    else profile_text(p.default) if p.kind is tuple else f"{p.default:g}"
                )
                when = "start only" if p.start_only else "yes"
                lines.append(f"| `{p.name}` | {p.unit} | {default} | {p.allowed()} | {when} | {p.doc} | {p.source} |")
    return "\n".join(lines) + "\n"


def describe() -> str:
    """Plain-text reference of every key, for the terminal."""
    out = []
    for group in GROUPS:
        out.append(f"\n{GROUP_TITLES[group]}")
        for p in PARAMS:
            if p.group == group:
                out.append(
                    f"  {p.name} = {profile_text(p.default) if p.kind is tuple else repr(p.default)}  [{p.unit}; {p.allowed()}{'; start only' if p.start_only else ''}]"
                    f"\n      {p.doc}\n      source: {p.source}"
                )
    return "\n".join(out).lstrip("\n")

