"""The install is licence-clean: every dependency's licence is compatible with labsim's GPL-3.0-or-later.

labsim is GPL-3.0-or-later because python-igraph (a core dependency) is GPL-2.0-or-later and PRIM (in the
`analysis` extra) GPL-3.0-or-later. The test reads the installed distributions' own metadata
(importlib.metadata): the dependencies named in pyproject.toml, then theirs from Requires-Dist (without
extras), transitively. A licence is read, in this order, from License-Expression (PEP 639), a License field
that is an SPDX expression, or License classifiers that name one licence each; metadata that says none of
these clearly must be in REVIEWED, with the exact text a human read, so a changed text is read again. An
unknown or incompatible licence fails the test with the package's name.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

# SPDX ids whose code may be combined into a GPL-3.0-or-later work (the FSF's list of GPL-compatible licences).
# MPL-2.0 through its secondary-licence clause; Apache-2.0 with GPL-3.0 (not with GPL-2.0-only).
COMPATIBLE = {
    "0BSD", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CC0-1.0", "HPND", "ISC", "MIT", "MIT-CMU", "MPL-2.0",
    "PSF-2.0", "Python-2.0", "Unlicense", "X11", "Zlib",
    "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
}
# Classifiers that name exactly one licence. "BSD License" is not here: it does not say which BSD (the
# 4-clause one is incompatible), so a package that says only that is REVIEWED.
CLASSIFIERS = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: zlib/libpng License": "Zlib",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}
# Read by a human: package -> (the metadata's evidence exactly as `evidence()` gives it, the SPDX licence, why).
REVIEWED = {
    "igraph": ("License: GNU General Public License (GPL)", "GPL-2.0-or-later",
               "its LICENSE is the GPL version 2 text and igraph/__init__.py says 'either version 2 of the "
               "License, or (at your option) any later version'"),
    "scipy": ("Classifier: License :: OSI Approved :: BSD License", "BSD-3-Clause",
              "its LICENSE.txt is the 3-clause BSD licence (bundled parts: BSD, MIT, Boost, PSF)"),
    "cycler": ("Classifier: License :: OSI Approved :: BSD License", "BSD-3-Clause",
               "its License field is the 3-clause BSD text of the matplotlib project"),
    "kiwisolver": ("Classifier: License :: OSI Approved :: BSD License", "BSD-3-Clause",
                   "its License field, 'The Kiwi licensing terms', is the modified (3-clause) BSD licence"),
    "prim": ("License: GNU GENERAL PUBLIC LICENSE", "GPL-3.0-or-later",
             "its COPYING is the GPL version 3 text and its description says 'version 3 or later'"),
    "mplcursors": ("none", "Zlib", "no licence metadata; its licenses/LICENSE.txt is the zlib licence text"),
    "jinja2": ("Classifier: License :: OSI Approved :: BSD License", "BSD-3-Clause",
               "its LICENSE.txt is the 3-clause BSD text (Copyright 2007 Pallets); its MarkupSafe says BSD-3-Clause"),
}

TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:-]+)")


def _tokens(expression: str) -> list[str]:
    tokens, at = [], 0
    while at < len(expression.rstrip()):
        match = TOKEN.match(expression, at)
        if match is None:
            raise ValueError(expression)
        tokens.append(match.group(1))
        at = match.end()
    return tokens


def spdx_compatible(expression: str) -> bool:
    """Whether an SPDX expression allows a GPL-3.0-or-later combination: AND needs every part, OR one.

    `X WITH exception` is judged by X (an SPDX exception only adds permissions). Raises ValueError when
    the text is not an SPDX expression of known ids, so free text falls through to the next source.
    """
    tokens = _tokens(expression)
    known = COMPATIBLE | {"GPL-2.0-only", "GPL-2.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "BSD-4-Clause",
                          "SSPL-1.0", "CC-BY-NC-4.0", "LicenseRef-Proprietary"}

    def term(i: int) -> tuple[bool, int]:
        if i >= len(tokens):
            raise ValueError(expression)
        if tokens[i] == "(":
            value, i = any_of(i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise ValueError(expression)
            return value, i + 1
        if tokens[i] not in known:
            raise ValueError(expression)
        value, i = tokens[i] in COMPATIBLE, i + 1
        if i < len(tokens) and tokens[i] == "WITH":
            i += 2
        return value, i

    def all_of(i: int) -> tuple[bool, int]:
        value, i = term(i)
        while i < len(tokens) and tokens[i] == "AND":
            other, i = term(i + 1)
            value = value and other
        return value, i

    def any_of(i: int) -> tuple[bool, int]:
        value, i = all_of(i)
        while i < len(tokens) and tokens[i] == "OR":
            other, i = all_of(i + 1)
            value = value or other
        return value, i

    value, end = any_of(0)
    if end != len(tokens):
        raise ValueError(expression)
    return value


def _name(dist: metadata.Distribution) -> str:
    return re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()


def evidence(dist: metadata.Distribution) -> str:
    """What a REVIEWED entry must match: the license classifiers, else the License field's first line."""
    classifiers = [c for c in dist.metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return "; ".join(f"Classifier: {c}" for c in classifiers)
    text = (dist.metadata.get("License") or "").strip()
    return f"License: {text.splitlines()[0].strip()}" if text else "none"


def licence(dist: metadata.Distribution) -> tuple[str, bool] | None:
    """(The licence as read, compatible with GPL-3.0-or-later?), or None when the metadata does not say clearly."""
    expression = dist.metadata.get("License-Expression")
    if expression:
        return expression, spdx_compatible(expression)  # a bad PEP 639 expression is an error, not a guess
    field = (dist.metadata.get("License") or "").strip()
    if field and "\n" not in field:
        try:
            return field, spdx_compatible(field)
        except ValueError:
            pass
    classifiers = [c for c in dist.metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers and all(c in CLASSIFIERS for c in classifiers):  # several: each must be compatible
        ids = [CLASSIFIERS[c] for c in classifiers]
        return " AND ".join(ids), all(i in COMPATIBLE for i in ids)
    reviewed = REVIEWED.get(_name(dist))
    if reviewed and reviewed[0] == evidence(dist):
        return reviewed[1], reviewed[1] in COMPATIBLE
    return None


def closure(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions these requirements need, transitively, without extras (markers evaluated)."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(requirements)
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{req.name}: a dependency that is not installed; pip install -e . first")
        if _name(dist) not in found:
            found[_name(dist)] = dist
            todo += dist.requires or []
    return found


def problems(dists: dict[str, metadata.Distribution]) -> list[str]:
    """One line per distribution whose licence is unknown or incompatible with GPL-3.0-or-later."""
    out = []
    for name, dist in sorted(dists.items()):
        try:
            read = licence(dist)
        except ValueError:
            read = None
        if read is None:
            out.append(f"{name}: licence unknown ({evidence(dist)}): a human decides, then adds it to REVIEWED")
        elif not read[1]:
            out.append(f"{name}: {read[0]} is not compatible with GPL-3.0-or-later")
    return out


def test_labsim_declares_gpl3_or_later_with_its_text():
    assert PROJECT["license"] == "GPL-3.0-or-later"  # an SPDX string (PEP 639), not the deprecated table
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:6] == ["GNU", "GENERAL", "PUBLIC", "LICENSE", "Version", "3,"]
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 30_000  # the full text, not a notice


def test_core_dependencies_are_gpl3_compatible():
    dists = closure(PROJECT["dependencies"])
    assert {"mesa", "numpy", "igraph", "pyarrow"} <= set(dists)  # the closure really is transitive
    assert problems(dists) == []


def test_analysis_extra_is_gpl3_compatible():
    try:
        metadata.distribution("prim")
    except metadata.PackageNotFoundError:
        pytest.skip("the analysis extra is not installed (make test installs it)")
    assert problems(closure(PROJECT["optional-dependencies"]["analysis"])) == []


@pytest.mark.parametrize(("expression", "compatible"), [
    ("MIT", True), ("BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", True), ("Apache-2.0 OR BSD-2-Clause", True),
    ("GPL-2.0-only", False), ("MIT AND GPL-2.0-only", False), ("GPL-2.0-only OR MIT", True),
    ("(MIT OR GPL-2.0-only) AND BSD-4-Clause", False), ("Apache-2.0 WITH LLVM-exception", True),
])
def test_spdx_expressions(expression, compatible):
    assert spdx_compatible(expression) is compatible


class _Fake(metadata.Distribution):
    """A distribution made of metadata text only: what the check sees of an unknown or incompatible package."""

    def __init__(self, text: str) -> None:
        self.text = text

    def read_text(self, filename):
        return self.text if filename == "METADATA" else None

    def locate_file(self, path):
        return Path(path)


def test_unknown_and_incompatible_licences_fail_with_the_package_name():
    unknown = _Fake("Name: Mystery_Pkg\nLicense: see the web site\n")
    gpl2 = _Fake("Name: old-gpl\nLicense-Expression: GPL-2.0-only\n")
    bsd = _Fake("Name: vague\nClassifier: License :: OSI Approved :: BSD License\n")  # which BSD? not REVIEWED
    changed = _Fake("Name: igraph\nLicense: GNU General Public License v2 only\n")  # the reviewed text changed
    lines = problems({"mystery-pkg": unknown, "old-gpl": gpl2, "vague": bsd, "igraph": changed})
    assert lines == [
        "igraph: licence unknown (License: GNU General Public License v2 only): a human decides, then adds it to "
        "REVIEWED",
        "mystery-pkg: licence unknown (License: see the web site): a human decides, then adds it to REVIEWED",
        "old-gpl: GPL-2.0-only is not compatible with GPL-3.0-or-later",
        "vague: licence unknown (Classifier: License :: OSI Approved :: BSD License): a human decides, then adds "
        "it to REVIEWED",
    ]
