"""Imported by the pool's forkserver only (`executors.PRELOAD`): it dies with the labsim process that started it.

Never import this module elsewhere: the process importing it is killed when
the labsim process that recorded its pid dies, and exits at once if that one is
not its parent (`sim.batch.orphans`).
"""

from sim.batch.orphans import guard_forkserver

guard_forkserver()
