"""Imported by the pool's forkserver only (`executors.PRELOAD`): it dies with the labsim process that started it.

Never import this module elsewhere: the process importing it is killed when
its parent dies (`sim.batch.orphans`).
"""

from sim.batch.orphans import die_with_parent

die_with_parent()
