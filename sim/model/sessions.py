"""Where people meet: a lab's day, split into its activities and played out.

The people who come on a day are split among the day's activities: residents
work with staff and engineers, teams of confidential company projects work
apart, workshops seat untrained newcomers first, a big event takes the whole
space, and otherwise regulars work in a project session (on project days) and
everyone else drops in to the open session. Each activity sets the quality of
its attendees' visits (mediator attention shared among those present, peer
help, open documentation, crowding, friction) and ties people together;
mediators broker ties and introduce newcomers to regulars.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from sim.kinds import Access, Channel, Role, SessionKind
from sim.model import ladder
from sim.model.draws import Purpose
from sim.model.network import groups_pairs
from sim.model.population import REGULAR
from sim.model.shared import Shared
from sim.model.staff import Staff

SESSION_LOG = 60  # recent sessions kept (time, kind, attendees) for the person-activity picture
WORKSHOP_FOCUS = 2.0  # a mediator running a workshop gives it twice the attention of an open day (assumption)
POOLED = (SessionKind.OPEN_SESSION, SessionKind.PROJECT)  # share the free mediators' attention (an event has its own programme)
EMPTY = np.empty(0, dtype=np.int64)


@dataclass
class Session:
    """One activity of the day and the people in it."""

    kind: SessionKind
    ids: np.ndarray
    attention: float = 0.0  # mediator attention per attendee, in [0, 1]
    staff: np.ndarray = field(default_factory=lambda: EMPTY)  # mediators serving the session


class Sessions:
    """Splits a day's visitors among activities and plays them out."""

    def __init__(self, shared: Shared, staff: Staff) -> None:
        """The day's activities of a lab, served by its `staff`."""
        self.lab, self.people, self.network, self.staff = shared.lab, shared.people, shared.network, staff
        self.awareness, self.tally = shared.awareness, shared.tally
        self.log: deque[tuple[float, str, np.ndarray]] = deque(maxlen=SESSION_LOG)

    # -- who goes where -----------------------------------------------------------------
    def split(self, present: np.ndarray, workshops: int, event: bool) -> list[Session]:
        """Assign each person present to one activity."""
        people, settings, now = self.people, self.lab.settings, self.lab.time
        sessions: list[Session] = []
        resident = people.in_residence[present]
        if resident.any():
            sessions.append(Session(SessionKind.RESIDENCY, present[resident]))
        others = present[~resident]
        # Teams of confidential company projects work apart (no ties outside the team, no open documentation).
        secret = (people.role[others] != Role.VISITOR) & (people.confidential_until[others] > now)
        if secret.any():
            sessions.append(Session(SessionKind.CONFIDENTIAL, others[secret]))
            others = others[~secret]
        rest = others
        crowd = EMPTY
        if event:  # the event's crowd (who came for it today) in its own programme; the lab's day goes on beside it
            self.tally.add("events_held")
            came_for_it = (people.channel[others] == Channel.EVENT) & (people.created[others] == now)
            crowd, others = others[came_for_it], others[~came_for_it]
            rest = others
        if workshops:  # seats go to untrained visitors: those who booked (today's workshop newcomers), then members
            # (the machines' introduction comes with a membership), then the fewest visits first
            untrained = others[(people.role[others] == Role.VISITOR) & ~people.trained[others]]
            size = settings.workshop_size
            booked = (people.channel[untrained] == Channel.WORKSHOP) & (people.created[untrained] == now)
            member = people.member_until[untrained] >= now
            order = np.lexsort((people.visits[untrained], ~member, ~booked))
            seated = untrained[order][: workshops * size]
            sessions += [Session(SessionKind.WORKSHOP, seated[i * size : (i + 1) * size]) for i in range(workshops)]
            self.tally.add("workshops_held", workshops)
            rest = others[~np.isin(others, seated)]
        if event:
            sessions.append(Session(SessionKind.EVENT, crowd))
        if self.lab.rng.random() < settings.project_sessions_per_week / settings.open_days_per_week:
            regular = people.role[rest] != Role.VISITOR
            if regular.any():
                sessions.append(Session(SessionKind.PROJECT, rest[regular]))
            rest = rest[~regular]
        if rest.size:
            sessions.append(Session(SessionKind.OPEN_SESSION, rest))
        return sessions

    # -- mediators' attention -------------------------------------------------------------
    def attend(self, sessions: list[Session]) -> None:
        """Mediators run the workshops; the others share their attention among those present and broker ties."""
        settings, now = self.lab.settings, self.lab.time
        cap, mediators = settings.mediator_capacity, self.staff.ids
        pool = [x for x in sessions if x.kind in POOLED]
        pool_people = sum(x.ids.size for x in pool)
        runners = sum(x.kind is SessionKind.WORKSHOP for x in sessions)
        free = mediators[runners:]
        shared = 0.0 if pool_people == 0 else min(1.0, free.size * cap / pool_people)
        co_production = ladder.co_production_share(settings)  # the rest of the staff's time goes to guided visits
        runner = 0
        for x in sessions:
            if x.kind is SessionKind.WORKSHOP:
                if runner < mediators.size:
                    x.staff = mediators[runner : runner + 1]
                    x.attention = min(1.0, WORKSHOP_FOCUS * cap / max(1, x.ids.size))
                    self.network.stage(np.broadcast_to(x.staff, x.ids.shape), x.ids, now)  # the runner knows them all
                runner += 1
            elif x.kind is SessionKind.RESIDENCY:
                x.attention = 1.0 if mediators.size else 0.0
                x.staff = mediators
            elif x.kind is SessionKind.EVENT:  # planned for a crowd: its programme's attention, not the everyday share
                x.attention = settings.event_attention
            else:  # open sessions, projects, confidential projects: co-production with users
                x.attention = shared * co_production
        for x in pool:
            x.staff = free
        if pool_people and free.size:  # one shuffle a day, dealt out in turn: each attends `per` different people
            members = np.concatenate([x.ids for x in pool])
            per = min(max(1, math.floor(cap)), members.size)
            order = self.lab.rng.permutation(members.size)
            j = np.arange(free.size * per)
            self.network.stage(free[j // per], members[order[j % members.size]], now)

    # -- playing out ------------------------------------------------------------------------
    def play(self, sessions: list[Session]) -> tuple[np.ndarray, np.ndarray]:
        """Tie attendees together and set the quality of their visits; returns (ids, quality), session by session."""
        people, settings, now = self.people, self.lab.settings, self.lab.time
        ids = np.concatenate([x.ids for x in sessions]) if sessions else EMPTY
        regular = REGULAR[people.role[ids]]
        # Peers help those beside them in the everyday space; an event's crowd has its own programme.
        newcomers = ids.size - int(regular.sum()) - sum(x.ids.size for x in sessions if x.kind is SessionKind.EVENT)
        peer = 1.0 if newcomers == 0 else min(1.0, settings.peer_help_per_contributor * int(regular.sum()) / newcomers)
        # Big events are planned for crowds; the others share the everyday space.
        everyday = sum(x.ids.size for x in sessions if x.kind is not SessionKind.EVENT)
        crowding = settings.crowding_penalty * max(0.0, everyday / settings.space_capacity - 1.0)
        docs = settings.open_documentation * self.awareness.readable(settings)
        friction = settings.access_friction if settings.access == Access.APPOINTMENT else 0.0
        base = np.empty(ids.size)
        start = 0
        self._tie(sessions)
        for x in sessions:
            if x.kind in (SessionKind.PROJECT, SessionKind.WORKSHOP) and self.staff.ids.size:
                self._colead(x)
            crowd = 0.0 if x.kind is SessionKind.EVENT else crowding
            base[start : start + x.ids.size] = settings.base_quality + settings.attention_weight * x.attention + settings.doc_weight * docs \
                - crowd - friction
            start += x.ids.size
            self.log.append((now, x.kind.value, np.concatenate([x.ids, x.staff])))
        noise = 0.0
        if settings.quality_noise:  # each visitor's luck of the day (`sim.model.draws`): the same in every fork
            noise = settings.quality_noise * ndtri(self.lab.draws.uniform(people.key[ids], int(now), Purpose.QUALITY))
        help_ = np.where(regular, 1.0, peer)
        alone = settings.training_quality_bonus * people.trained[ids]  # trained people can work on their own
        quality = np.clip(base + settings.peer_weight * help_ + alone + noise, 0.0, 1.0)
        return ids, quality

    def _tie(self, sessions: list[Session]) -> None:
        """Tie each attendee to co-attendees: within their team for confidential projects and booked slots."""
        people, settings, now = self.people, self.lab.settings, self.lab.time
        groups = []
        for x in sessions:
            teams = None
            if x.kind is SessionKind.CONFIDENTIAL:
                teams = people.project[x.ids]
            elif settings.access == Access.APPOINTMENT and x.kind in (SessionKind.OPEN_SESSION, SessionKind.PROJECT):
                teams = people.slot[x.ids]
            if teams is None:
                groups.append(x.ids)
            else:
                order = np.argsort(teams, kind="stable")
                groups += np.split(x.ids[order], np.flatnonzero(np.diff(teams[order])) + 1)
            if x.kind is SessionKind.RESIDENCY and self.staff.ids.size:  # residents work with every member of staff
                self.network.stage(np.repeat(x.ids, self.staff.ids.size), np.tile(self.staff.ids, x.ids.size), now)
        self.network.stage(*groups_pairs(groups, settings.ties_per_activity, self.lab.rng), now)

    def _colead(self, x: Session) -> None:
        """A regular in the session co-leads it with a mediator (workshops seat visitors, so in practice projects)."""
        people, rng = self.people, self.lab.rng
        leaders = x.ids[REGULAR[people.role[x.ids]]]
        if leaders.size and rng.random() < self.lab.settings.colead_prob * leaders.size:
            leader = int(leaders[rng.integers(leaders.size)])
            people.coleads[leader] += 1
            self.network.tie(leader, self.staff.pick(rng), self.lab.time)

    def introduce(self, present: np.ndarray) -> None:
        """Mediators introduce newcomers to regulars present; regulars help newcomers."""
        people, settings, rng, now = self.people, self.lab.settings, self.lab.rng, self.lab.time
        role = people.role[present]
        regulars = present[REGULAR[role] & (people.confidential_until[present] <= now)]
        newcomers = present[role == Role.VISITOR]
        if not regulars.size or not newcomers.size:
            return
        n_intro = rng.poisson(settings.introductions_per_day * self.staff.ids.size)
        n_help = min(newcomers.size, math.ceil(settings.peer_help_per_contributor * regulars.size))
        helped = rng.permutation(newcomers.size)[:n_help]
        picks = rng.random(2 * n_intro + n_help)  # who meets whom: uniform choices, one draw each
        a = (picks[:n_intro] * newcomers.size).astype(np.int64)
        b = (picks[n_intro : 2 * n_intro] * regulars.size).astype(np.int64)
        helpers = (picks[2 * n_intro :] * regulars.size).astype(np.int64)
        self.network.stage(np.concatenate([newcomers[a], regulars[helpers]]),
                           np.concatenate([regulars[b], newcomers[helped]]), now)

    def snapshot(self) -> dict:
        """The log of recent sessions, as data."""
        return {"log": [[t, kind, ids.tolist()] for t, kind, ids in self.log]}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.log.clear()
        self.log.extend((float(t), str(kind), np.array(ids, dtype=np.int64)) for t, kind, ids in snap["log"])
