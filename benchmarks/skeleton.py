"""The reference skeleton: the model a Mesa user writes first.

Every person is an agent from day 0 and is stepped every day with one random
draw, nothing else. labsim's event-driven core is measured against it: the
same population and horizon, timed in the same run.
"""

import mesa


class Person(mesa.Agent):
    """A person stepped daily."""

    def step(self) -> None:
        """One random draw a day: the least a time-stepped model does."""
        self.draw = self.model.rng.random()


class Skeleton(mesa.Model):
    """n people from day 0, one step a day."""

    def __init__(self, n: int, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        Person.create_agents(self, n)

    def step(self) -> None:
        """Step every person in random order."""
        self.agents.shuffle_do("step")


def run_skeleton(n: int, days: int = 365, seed: int = 0) -> Skeleton:
    """Build and run the skeleton for `days` days."""
    model = Skeleton(n, rng=seed)
    model.run_for(days)
    return model
