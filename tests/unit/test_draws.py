"""The counter-based draws of `sim.model.draws`: uniform, independent by purpose and day, the same for the same person."""

import numpy as np
import pytest
from scipy import stats

from sim.config.settings import Settings
from sim.kinds import Channel
from sim.model import ladder
from sim.model.draws import Draws, Keyed, Purpose

KEYS = np.arange(200_000, dtype=np.uint64)


def test_uniforms_are_uniform_and_inside_the_open_interval():
    u = Draws(7).uniform(KEYS, 100, Purpose.STAY)
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001  # a fixed sample: this p-value is the same every run


def test_the_same_person_day_and_purpose_give_the_same_number_and_nothing_else_does():
    d = Draws(7)
    u = d.uniform(KEYS[:1000], 100, Purpose.STAY)
    assert np.array_equal(u, d.uniform(KEYS[:1000], 100, Purpose.STAY))
    assert np.array_equal(u[500:], d.uniform(KEYS[500:1000], 100, Purpose.STAY))  # who else draws does not matter
    for other in (d.uniform(KEYS[:1000], 101, Purpose.STAY), d.uniform(KEYS[:1000], 100, Purpose.WAIT),
                  Draws(8).uniform(KEYS[:1000], 100, Purpose.STAY)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.1  # 1,000 pairs: |r| of independent draws is ~0.03


def test_newcomer_keys_are_ranks_by_channel_continued_through_the_day():
    d, arrived = Draws(1), {}
    first = d.newcomer_keys(5, np.array([Channel.FOOTFALL] * 3 + [Channel.REPUTATION] * 2), arrived)
    later = d.newcomer_keys(5, np.array([Channel.FOOTFALL]), arrived)
    again = d.newcomer_keys(5, np.array([Channel.FOOTFALL] * 4), {})
    assert arrived == {Channel.FOOTFALL: 4, Channel.REPUTATION: 2}
    assert np.array_equal(again, np.concatenate([first[:3], later]))  # the 4th footfall newcomer is the same person
    assert len(set(first.tolist()) | set(later.tolist())) == 6
    assert d.newcomer_keys(6, np.array([Channel.FOOTFALL]), {})[0] != first[0]  # another day, other people


def test_keyed_draws_follow_the_ladders_distributions():
    u = Draws(3).of(KEYS, 0, Purpose.PROPENSITY)
    x = ladder.draw_propensity(u, 0.8, size=KEYS.size)
    assert x.mean() == pytest.approx(1.0, abs=0.02)  # lognormal of mean 1 (sd 0.95: se 0.002)
    waits = ladder.draw_wait(Draws(3).of(KEYS, 0, Purpose.WAIT), np.full(KEYS.size, 7.0))
    assert waits.min() >= 1.0 and waits.mean() == pytest.approx(7.0, abs=0.05)  # sd 6: se 0.013
    s = Settings()
    paid = ladder.draw_wtp(Draws(3).of(KEYS[:5000], 0, Purpose.WTP), s, at_least=8.0, size=5000)
    assert paid.min() >= 8.0 - 1e-9  # those who came despite a fee are willing to pay it
    with pytest.raises(ValueError, match="5 people, 6 draws"):
        Keyed(np.full(5, 0.5)).random(6)


@pytest.mark.parametrize("mean", [0.4, 6.6, 45.0, 900.0])
def test_counts_are_poisson_and_coupled(mean):
    d = Draws(11)
    counts = np.array([d.poisson([mean], day)[0] for day in range(20_000)])
    assert counts.mean() == pytest.approx(mean, rel=0.03)  # se of the mean: sqrt(mean / 20,000), < 1% of it
    assert counts.var() == pytest.approx(mean, rel=0.06)  # Poisson: variance = mean (se of the variance ~1-3%)
    close = np.array([d.poisson([mean * 1.01], day)[0] for day in range(2_000)])
    gap = np.mean(np.abs(close - counts[:2_000]))  # coupled: about the means' gap; independent: ~1.1 sd
    assert gap < 0.01 * mean + 0.2 * np.sqrt(mean) + 0.05 < 1.1 * np.sqrt(mean)
    assert d.poisson([0.0], 3) == [0]
