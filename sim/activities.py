"""Where people meet: the lab's day, split into its activities.

During an open day people arrive (visit events) and are put on today's roster;
at closing time the day is played out: residents work with staff and engineers,
a big event takes the whole space, workshops seat newcomers first, regulars
work in a project session, everyone else drops in to the open session. Each
activity sets the quality of its attendees' visits (mediator attention shared
among those present, peer help, open documentation, crowding, friction), ties
people together, and each person then decides whether to come back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim import ladder
from sim.agents import Artist, Contributor, Partner, Person, Visitor

if TYPE_CHECKING:
    from sim.model import LabModel


@dataclass
class Session:
    """One activity of the day and the people in it."""

    kind: str  # open_session | workshop | event | project | residency | confidential
    people: list[Person] = field(default_factory=list)
    attention: float = 0.0  # mediator attention per attendee, in [0, 1]
    staff: list = field(default_factory=list)  # mediators serving the session


class Lab:
    """Today's roster and the day's programme, played out at closing time."""

    def __init__(self, model: LabModel) -> None:
        """Start with an empty roster."""
        self.model = model
        self.roster: dict[Person, None] = {}  # insertion-ordered: reproducible
        self.workshops_today = 0
        self.event_today = False

    def attend(self, person: Person) -> None:
        """Put a person on today's roster (under appointment access, bookings already hold a slot)."""
        self.roster[person] = None

    # -- the day ---------------------------------------------------------
    def close_day(self) -> None:
        """Play out the day's activities, then let everyone decide to come back."""
        m = self.model
        present = list(self.roster)
        self.roster = {}
        workshops, event = self.workshops_today, self.event_today
        self.workshops_today, self.event_today = 0, False
        if not present:
            return
        sessions = self._split(present, workshops, event)
        free_mediators = max(0, len(m.mediators) - sum(s.kind == "workshop" for s in sessions))
        self._share_attention(sessions, free_mediators)
        m.session_log.extend((m.time, s.kind, tuple(p.unique_id for p in s.people + s.staff)) for s in sessions)
        regulars = sum(isinstance(p, Contributor | Partner) for p in present)
        newcomers = len(present) - regulars
        peer = 1.0 if newcomers == 0 else min(1.0, m.p.peer_help_per_contributor * regulars / newcomers)
        # Big events are planned for crowds; the others share the everyday space.
        everyday = sum(len(s.people) for s in sessions if s.kind != "event")
        crowding = m.p.crowding_penalty * max(0.0, everyday / m.p.space_capacity - 1.0)
        for session in sessions:
            self._play(session, peer, 0.0 if session.kind == "event" else crowding)
        self._introduce(present)
        for person in dict.fromkeys(p for s in sessions for p in s.people):
            m.after_visit(person)

    def _split(self, present: list[Person], workshops: int, event: bool) -> list[Session]:
        """Assign each person present to one activity."""
        m = self.model
        residents = [p for p in present if isinstance(p, Artist) and p.in_residence]
        others = [p for p in present if not (isinstance(p, Artist) and p.in_residence)]
        sessions: list[Session] = []
        if residents:
            sessions.append(Session("residency", residents))
            m.market.engineers_join(residents)
        # Teams of confidential company projects work apart (no ties outside the team, no open documentation).
        secret = [p for p in others if type(p) is not Visitor and p.confidential]
        if secret:
            sessions.append(Session("confidential", secret))
            others = [p for p in others if not (type(p) is not Visitor and p.confidential)]
        # Workshop seats go to untrained visitors, fewest visits first (those who booked are newcomers).
        seats = workshops * m.p.workshop_size
        visitors = sorted((p for p in others if type(p) is Visitor and not p.trained), key=lambda p: p.visits)
        seated = dict.fromkeys(visitors[:seats])
        booked = list(seated)
        for i in range(workshops):
            sessions.append(Session("workshop", booked[i * m.p.workshop_size : (i + 1) * m.p.workshop_size]))
            if m.measuring:
                m.workshops_held += 1
        rest = [p for p in others if p not in seated]
        if event:
            if m.measuring:
                m.events_held += 1
            sessions.append(Session("event", rest))
            return sessions
        project_day = m.rng.random() < m.p.project_sessions_per_week / m.p.open_days_per_week
        project = [p for p in rest if project_day and type(p) is not Visitor]
        drop_in = [p for p in rest if not (project_day and type(p) is not Visitor)]
        if project:
            sessions.append(Session("project", project))
        if drop_in:
            sessions.append(Session("open_session", drop_in))
        return sessions

    def _share_attention(self, sessions: list[Session], free_mediators: int) -> None:
        """Each mediator's capacity is shared among those present."""
        m = self.model
        cap = m.p.mediator_capacity
        mediators = iter(m.mediators)
        pool = [s for s in sessions if s.kind in ("open_session", "project", "event")]
        pool_people = sum(len(s.people) for s in pool)
        shared = 0.0 if pool_people == 0 else min(1.0, free_mediators * cap / pool_people)
        co_production = ladder.co_production_share(m.p)  # the rest of the staff's time goes to guided visits
        for s in sessions:
            if s.kind == "workshop":
                runner = next(mediators, None)
                s.attention = 0.0 if runner is None else min(1.0, 2 * cap / max(1, len(s.people)))
                if runner is not None:
                    s.staff = [runner]
                    runner.workshops_run += 1
                    self._lead(s, runner)
            elif s.kind == "residency":
                s.attention = 1.0 if m.mediators else 0.0
                s.staff = list(m.mediators)
            else:  # open sessions, projects, events, confidential projects: co-production with users
                s.attention = shared * co_production
        # Mediators free today tie to the people they attended to (brokerage).
        free = list(mediators)
        for s in pool:
            s.staff = free
        if pool_people and free:
            members = [p for s in pool for p in s.people]
            per = min(max(1, math.floor(cap)), len(members))
            # One shuffle a day, dealt out in turn: each mediator attends to `per` different people.
            n = len(members)
            order = m.rng.permutation(n).tolist()
            now = m.time
            m.network.tie_many(
                ((med.unique_id, members[order[j % n]].unique_id)
                 for i, med in enumerate(free) for j in range(i * per, (i + 1) * per)), now)
            for med in free:
                med.attended += per

    def _lead(self, session: Session, runner) -> None:
        """A mediator runs a workshop and ties to everyone in it."""
        m = self.model
        m.network.tie_many(((runner.unique_id, p.unique_id) for p in session.people), m.time)
        runner.attended += len(session.people)

    def _play(self, s: Session, peer: float, crowding: float) -> None:
        """Set each attendee's visit quality and tie them to co-attendees."""
        m = self.model
        p = m.p
        if s.kind == "confidential" or (p.access == "appointment" and s.kind in ("open_session", "project")):
            # Teams booked into separate slots, or on separate confidential projects, meet within their team only.
            teams: dict[int, list[int]] = {}
            for x in s.people:
                team = x.project if s.kind == "confidential" else getattr(x, "slot", -1)
                teams.setdefault(team, []).append(x.unique_id)
            for ids in teams.values():
                m.network.tie_group(ids, p.ties_per_activity, m.rng, m.time)
        else:
            m.network.tie_group([x.unique_id for x in s.people], p.ties_per_activity, m.rng, m.time)
        if s.kind == "residency":
            staff = [med.unique_id for med in m.mediators]
            for x in s.people:
                for sid in staff:
                    m.network.tie(x.unique_id, sid, m.time)
        if s.kind in ("project", "workshop") and m.mediators:
            self._colead(s)
        docs = p.open_documentation * m.docs_pages / (m.docs_pages + p.doc_half_saturation)
        friction = p.access_friction if p.access == "appointment" else 0.0
        base = p.base_quality + p.attention_weight * s.attention + p.doc_weight * docs - crowding - friction
        n = len(s.people)
        noise = m.rng.normal(0.0, p.quality_noise, size=n).tolist() if p.quality_noise else [0.0] * n
        workshop = s.kind == "workshop"
        for x, eps in zip(s.people, noise, strict=True):
            help_ = 1.0 if isinstance(x, Contributor | Partner) else peer
            alone = p.training_quality_bonus if x.trained else 0.0  # trained people can work on their own
            q = min(1.0, max(0.0, base + p.peer_weight * help_ + alone + eps))
            x.record_visit(q)
            x.last_quality = q
            if workshop and not x.trained:
                x.trained = True
                if m.measuring:
                    m.people_trained += 1
            if ladder.good_visit(q, p):
                m.note_good_visit(x)
            if s.kind in ("project", "residency", "confidential") and not isinstance(x, Visitor):
                m.maybe_produce_work(x)

    def _colead(self, s: Session) -> None:
        """A regular in the session co-leads it with a mediator (workshops seat visitors, so in practice projects)."""
        m = self.model
        leaders = [x for x in s.people if isinstance(x, Contributor | Partner)]
        if leaders and m.rng.random() < m.p.colead_prob * len(leaders):
            leader = leaders[int(m.rng.integers(len(leaders)))]
            leader.coleads += 1
            med = m.mediators[int(m.rng.integers(len(m.mediators)))]
            m.network.tie(leader.unique_id, med.unique_id, m.time)

    def _introduce(self, present: list[Person]) -> None:
        """Mediators introduce newcomers to regulars present; regulars help newcomers."""
        m = self.model
        regulars = [x for x in present if isinstance(x, Contributor | Partner) and not x.confidential]
        newcomers = [x for x in present if isinstance(x, Visitor)]
        if not regulars or not newcomers:
            return
        n_intro = m.rng.poisson(m.p.introductions_per_day * len(m.mediators))
        pairs = zip(
            m.rng.integers(len(newcomers), size=n_intro).tolist(),
            m.rng.integers(len(regulars), size=n_intro).tolist(),
            strict=True,
        )
        now = m.time
        m.network.tie_many(((newcomers[a].unique_id, regulars[b].unique_id) for a, b in pairs), now)
        n_help = min(len(newcomers), math.ceil(m.p.peer_help_per_contributor * len(regulars)))
        helped = m.rng.permutation(len(newcomers))[:n_help].tolist()
        m.network.tie_many(((regulars[h].unique_id, newcomers[idx].unique_id) for idx, h in
                            zip(helped, m.rng.integers(len(regulars), size=n_help).tolist(), strict=True)), now)
