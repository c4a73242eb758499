"""The moderated blog as people: web authors who submit, staff who moderate, rejections that discourage.

Authors are a population held in numpy columns (rate of submission, whether
they submitted in the measured period), not Mesa agents: they never come to
the lab and a blog can have thousands of them. Each day every author submits
Poisson(rate / 365) articles; staff accept each with `moderation_accept_rate`;
each rejection multiplies the author's rate by `blog_rejection_discouragement`
(Halfaker et al. 2013: rejected newcomers rarely contribute again). An author
whose rate falls below a tenth of a new author's stops writing; authors also
stop on their own after `blog_author_years` on average. Published articles make
people aware of the lab (`blog_reach_per_article`) and bring applicants to the
residency calls (`blog_applicants_per_article` per article of the past year).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.config.settings import Settings
from sim.kinds import DAYS_PER_YEAR
from sim.model.tally import Tally

AUTHOR_YEARS = 2.0  # mean years an author keeps writing on their own (assumption; Gardner 2011: months to years)
DISCOURAGED = 0.1  # an author whose rate fell below this share of a new author's stops writing (assumption)


class Blog:
    """Web authors and the articles they submit."""

    def __init__(self, tally: Tally) -> None:
        """No author yet; articles and authors are counted in `tally`."""
        self.tally = tally
        self.rate = np.zeros(0)  # articles a year of each author still writing
        self.counted = np.zeros(0, dtype=bool)  # submitted in the measured period
        self.published_at: deque[float] = deque()  # times of publication in the past year

    def start_period(self) -> None:
        """The measured period starts: every author counts anew."""
        self.counted[:] = False

    @property
    def writing(self) -> int:
        """Authors still writing."""
        return int(self.rate.size)

    def day(self, now: float, rng: np.random.Generator, settings: Settings) -> int:
        """One day of the blog: new authors, submissions, moderation. Returns the articles published today."""
        while self.published_at and self.published_at[0] < now - DAYS_PER_YEAR:
            self.published_at.popleft()
        new = rng.poisson(settings.blog_new_authors_per_year / DAYS_PER_YEAR) if settings.blog_new_authors_per_year > 0 else 0
        if new:
            self.rate = np.concatenate([self.rate, np.full(new, settings.blog_articles_per_author_year)])
            self.counted = np.concatenate([self.counted, np.zeros(new, dtype=bool)])
        if self.rate.size == 0:
            return 0
        submitted = rng.poisson(self.rate / DAYS_PER_YEAR)
        writers = np.flatnonzero(submitted)
        published = 0
        if writers.size:
            k = submitted[writers]
            accepted = rng.binomial(k, settings.moderation_accept_rate) if settings.moderation else k
            rejected = k - accepted
            self.rate[writers] *= settings.blog_rejection_discouragement ** rejected
            if self.tally.counting:
                self.tally.add("blog_authors", int((~self.counted[writers]).sum()))
                self.counted[writers] = True
            published = int(accepted.sum())
            self.tally.add("blog_articles_published", published)
            self.tally.add("blog_articles_rejected", int(rejected.sum()))
            self.published_at.extend([now] * published)
        quit_ = rng.random(self.rate.size) < 1.0 / (AUTHOR_YEARS * DAYS_PER_YEAR)
        keep = ~quit_ & (self.rate >= settings.blog_articles_per_author_year * DISCOURAGED)
        if not keep.all():
            self.rate, self.counted = self.rate[keep], self.counted[keep]
        return published

    def articles_past_year(self) -> int:
        """Articles published in the past year (they bring applicants to residency calls)."""
        return len(self.published_at)

    def snapshot(self) -> dict:
        """The authors' rates, who wrote in the period, the past year's publications, as data."""
        return {"rate": self.rate.copy(), "counted": self.counted.copy(), "published_at": list(self.published_at)}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.rate, self.counted = np.array(snap["rate"], dtype=float), np.array(snap["counted"], dtype=bool)
        self.published_at = deque(float(t) for t in snap["published_at"])
