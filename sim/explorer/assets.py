"""The explorer's front-end files, fetched once from the npm registry into Solara's asset cache.

Solara serves its JavaScript and CSS through a proxy that fetches them from a
public CDN on first use. Where only package registries are reachable (as on
labsim's machines) that fails and the page stays blank, so `labsim explore`
and `make test` put the same npm packages in Solara's cache first, with
`npm pack`. Versions are read from the installed Solara, so they follow its
upgrades.

    python -m sim.explorer.assets        # fetch what is missing; prints what it did
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sim.batch.orphans import dies_with_me
from sim.errors import LabsimError

PACKAGE = re.compile(r"((?:@[a-z0-9_-]+/)?[a-z0-9_.-]+)@(\d[0-9a-z.-]*)")
SOURCES = (  # files of the installed solara that name the packages its pages load from the CDN
    "server/templates/solara.html.j2",
    "widgets/vue/gridlayout.vue",
    "components/markdown.py",
    "server/settings.py",
)
# katex: solara.Markdown loads it (math rendering) from the same proxy; served from the cache, no CDN request is made
WANTED = ("solara-vuetify-app", "solara-vuetify3-app", "requirejs", "vue-grid-layout", "font-awesome", "mermaid",
          "katex")


def cache_dir() -> Path:
    """Where Solara's asset proxy looks before going to the CDN."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def needed() -> list[str]:
    """'name@version' of every front-end package the installed Solara loads."""
    import solara

    root = Path(solara.__file__).parent
    found: dict[str, None] = {}
    for rel in SOURCES:
        path = root / rel
        if path.exists():
            for name, version in PACKAGE.findall(path.read_text(encoding="utf-8", errors="ignore")):
                if name.split("/")[-1] in WANTED:
                    found[f"{name}@{version}"] = None
    return list(found)


def missing() -> list[str]:
    """The needed packages not yet in the cache."""
    base = cache_dir()
    return [spec for spec in needed() if not (base / spec / "package.json").exists()]


def fetch(quiet: bool = False) -> list[str]:
    """Put every missing package in Solara's cache (npm pack + extract); return what was fetched."""
    todo = missing()
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise LabsimError("explore: the explorer's front-end files are missing and `npm` is not installed to fetch "
                          f"them ({', '.join(todo)}); install Node.js/npm, then run `python -m sim.explorer.assets`")
    base = cache_dir()
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            if not quiet:
                print(f"fetching {spec} from the npm registry", file=sys.stderr)
            out = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp], capture_output=True,
                                 text=True, check=False, timeout=300, preexec_fn=dies_with_me())  # ends with labsim
            if out.returncode != 0:
                raise LabsimError(f"explore: `npm pack {spec}` failed: {out.stderr.strip().splitlines()[-1:]}")
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            target = base / spec
            base.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=base, prefix=".staging-"))
            try:
                with tarfile.open(tarball) as tar:
                    tar.extractall(staging, filter="data")
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    shutil.rmtree(target)
                (staging / "package").rename(target)  # the whole package appears at once
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return todo


if __name__ == "__main__":
    try:
        done = fetch()
    except LabsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"solara assets: {len(done)} fetched, {len(needed())} in {cache_dir()}")
