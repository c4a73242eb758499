"""labsim explore: the interactive explorer (Mesa SolaraViz) in the browser."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli import options
from sim.cli.parser import shown
from sim.errors import LabsimError

# Solara's server warns on the first request of every browser that opens the page at an address other than
# "localhost" over http (127.0.0.1 included): its session cookie then falls back from SameSite=None, needed only
# when the page is embedded in another site's iframe, to SameSite=Lax, which is what a local explorer wants. The
# 14-line note says nothing to a student; this one warning of solara.server.starlette is ignored, every other
# warning is printed (Python's -W syntax: action:message start:category:module).
SAMESITE_NOTE = "ignore:Cookies with samesite=none require https:UserWarning:solara.server.starlette"


def add_parser(sub) -> None:
    """The explore command."""
    p = sub.add_parser("explore", help="the interactive explorer (Mesa SolaraViz) in your browser",
                       parents=[options.settings()])
    p.add_argument("scenario", nargs="?", default="carrefour_numerique", help="preset or scenario file to start with")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=options.integer(1, 65535), default=8765, help="port (default 8765)")


def run(args) -> int:
    """Check the scenario, the port and the front-end files, then serve sim/explorer/app.py with Solara."""
    import json
    import os
    import subprocess

    from sim.batch.orphans import dies_with_me
    from sim.cli.extras import require_extra
    from sim.config.scenario import load_scenario, parse_settings, resolve
    from sim.explorer import assets

    require_extra("solara", "explore", "explore")
    settings = parse_settings(args.set)
    load_scenario(args.scenario).with_settings(**settings)
    path = resolve(args.scenario)
    _check_listen(args.host, args.port)
    if not is_loopback(args.host):
        print(f"warning: --host {args.host}: the explorer is then reachable by anyone on the network who can reach "
              "this machine (it has no login); use 127.0.0.1 to keep it to yourself", file=sys.stderr, flush=True)
    assets.fetch()
    app = Path(assets.__file__).resolve().parent / "app.py"
    env = os.environ | {"LABSIM_EXPLORE_SCENARIO": str(path.resolve()), "LABSIM_EXPLORE_SET": json.dumps(settings),
                        "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), SAMESITE_NOTE]))}
    print(f"labsim explorer on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host, "--port", str(args.port),
           "--production", "--no-open"]
    return subprocess.call(cmd, env=env, preexec_fn=dies_with_me())  # the server ends with labsim, even on kill -9


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is this machine's loopback (127.0.0.0/8, ::1)."""
    import ipaddress
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def _check_listen(host: str, port: int) -> None:
    """Refuse a host or port the explorer cannot listen on, saying which of the two is the problem."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise LabsimError(f"--host {shown(host)}: not an address of this machine ({exc}); "
                          "allowed: e.g. 127.0.0.1, ::1 or 0.0.0.0") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LabsimError(f"--port {port}: {host}:{port} is in use; is another explorer running? "
                                  "choose another --port") from None
            raise LabsimError(f"--host {shown(host)}: cannot listen there ({exc.strerror}); "
                              "allowed: an address of this machine, e.g. 127.0.0.1 or 0.0.0.0") from None
