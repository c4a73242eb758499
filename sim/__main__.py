"""`python -m sim` is the same as the `labsim` command."""

from sim.cli import main

raise SystemExit(main())
