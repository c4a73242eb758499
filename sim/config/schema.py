"""The one list of scenario keys: unit, default, allowed range, meaning and source.

Everything else (the Settings class, validation, `docs/scenarios.md`,
`labsim scenarios --describe`) is derived from `PARAMS`, so a key is documented
in exactly one place.

Sources are abbreviated: "case study" is the 2015 newPIC session on the
Carrefour Numérique and Digital Arti (`shared/DOMAIN.md`); author-year refer to
the literature table of the same digest; "assumption" marks a plausible value
chosen where no source gives a number, calibrated against the case study's
figures where it says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One scenario key."""

    name: str
    kind: type
    default: object
    unit: str
    doc: str
    source: str
    group: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    start_only: bool = False  # defines how the lab started: no intervention or fork of a saved lab changes it

    def allowed(self) -> str:
        """Say in words what values the key takes."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        kind = {int: "an integer", float: "a number"}.get(self.kind, "a string")
        if self.low is not None and self.high is not None:
            return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        if self.low is not None:
            return f"{kind} >= {_fmt(self.low)}"
        return kind


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# Keys read once, when the run starts (the initial population, the warm-up, the providers and partners present at
# the start): a policy applied to a running or saved lab (an intervention, a fork of a lab state) cannot change them.
START_ONLY = frozenset({"warmup_years", "initial_contributors", "initial_partners", "initial_dormant",
                        "initial_former_regulars", "initial_awareness", "initial_doc_pages", "engineer_providers",
                        "partner_organisations"})


def _p(group: str, name: str, kind: type, default, unit: str, low, high, doc: str, source: str, choices=None) -> Param:
    return Param(name, kind, default, unit, doc, source, group, low, high, choices, name in START_ONLY)


# fmt: off
PARAMS: tuple[Param, ...] = (
    # -- host --------------------------------------------------------
    _p("host", "host_footfall_per_day", float, 5500.0, "persons/day", 0.0, 1000000.0,
       "People passing through the host institution on an open day; the pool from which newcomers discover the lab.",
       "case study: the host (Cité des sciences) receives >2 M visitors a year, ~5,500 a day"),
    _p("host", "discovery_rate", float, 0.0012, "1/person", 0.0, 1.0,
       "Share of the host's footfall that discovers the lab and walks in for a first visit on an open day.",
       "assumption, calibrated so that the open lab sees ~8,000 occasional users a year (case study)"),
    _p("host", "open_days_per_week", int, 6, "days/week", 1, 7,
       "Days a week the lab opens to participants (staff work on the others).",
       "assumption: public fablabs open Tuesday to Sunday"),
    _p("host", "space_capacity", int, 60, "persons/day", 1, 10000,
       "People the space holds in a day before crowding lowers the quality of visits.",
       "case study: 500 m2 in four spaces (open lab), 100 m2 (art lab); ~1 person per 8 m2 (assumption)"),
    _p("host", "crowding_penalty", float, 0.5, "quality/overload", 0.0, 5.0,
       "Loss of visit quality per unit of overload (present/capacity - 1).",
       "assumption"),
    # -- arrivals (awareness) ----------------------------------------
    _p("arrivals", "awareness_half_life_days", float, 120.0, "days", 1.0, 3650.0,
       "Half-life of the lab's awareness: people who heard of it (events, workshops, documentation, blog, word of mouth) and have not come forget it.",
       "assumption"),
    _p("arrivals", "awareness_uptake", float, 0.005, "1/day", 0.0, 1.0,
       "Share of the people aware of the lab who come for a first visit on an open day (times access and price deterrence).",
       "assumption, calibrated with discovery_rate to ~8,000 occasional users a year (case study)"),
    _p("arrivals", "event_reach", float, 100.0, "persons/event", 0.0, 100000.0,
       "People a big event's publicity reaches who do not come that day but now know of the lab (reputation).",
       "assumption"),
    _p("arrivals", "event_pool_pull", float, 0.05, "1/event", 0.0, 1.0,
       "Share of the people aware of the lab who come to a big event (part of its crowd).",
       "assumption (makerspace practitioners: most members first came on a tour or an open night)"),
    _p("arrivals", "workshop_reach", float, 20.0, "persons/workshop", 0.0, 10000.0,
       "People a workshop's announcement reaches who now know of the lab (reputation).",
       "assumption"),
    _p("arrivals", "doc_reach_per_year", float, 1000.0, "persons/year", 0.0, 1000000.0,
       "People a year who find the lab through its documentation read online, at full documentation (times open_documentation x pages / (pages + doc_half_saturation)).",
       "assumption"),
    _p("arrivals", "blog_reach_per_article", float, 20.0, "persons/article", 0.0, 100000.0,
       "People one published blog article makes aware of the lab.",
       "assumption"),
    _p("arrivals", "good_visit_quality", float, 0.55, "quality", 0.0, 1.0,
       "Visit quality at or above which a person speaks well of the lab (word of mouth).",
       "assumption"),
    _p("arrivals", "word_of_mouth_per_good_visit", float, 0.18, "persons/visit", 0.0, 100.0,
       "People told about the lab after one good visit, by anyone (visitors and regulars alike).",
       "assumption"),
    # -- access ------------------------------------------------------
    _p("access", "access", str, "open", "-", None, None,
       "Access rule: 'open' (walk in) or 'appointment' (book a slot first: appointment_slots_per_day x slot_size visits a day, booking_effort, booking_lead_days).",
       "case study: open spaces at the Carrefour; access by appointment at Digital Arti", ("open", "appointment")),
    _p("access", "appointment_slots_per_day", int, 3, "slots/day", 1, 48,
       "Under appointment access: bookable time slots a day; each slot seats one team (slot_size people). Teams in separate slots do not meet.",
       "case study: access by appointment at the art lab; assumption for the number"),
    _p("access", "slot_size", int, 4, "persons/slot", 1, 1000,
       "Under appointment access: people one slot seats (a team working together).",
       "assumption: a small team in a 100 m2 space"),
    _p("access", "booking_lead_days", float, 2.0, "days", 0.0, 365.0,
       "Under appointment access: least days between booking and visit.",
       "assumption"),
    _p("access", "booking_effort", float, 2.5, "1", 0.0, 20.0,
       "Under appointment access: effort of booking; a would-be visit goes through with chance exp(-effort / (1 + visits so far) ** 2), so it deters newcomers far more than regulars.",
       "assumption; Halfaker et al. 2013: barriers at entry cost newcomers most"),
    _p("access", "booking_patience_days", float, 7.0, "days", 0.1, 365.0,
       "Under appointment access: a person told to wait w extra days for a free slot still comes with chance exp(-w / patience).",
       "assumption"),
    _p("access", "access_friction", float, 0.05, "quality", 0.0, 1.0,
       "Loss of visit quality caused by having to book (applies only under appointment access).",
       "assumption"),
    _p("access", "price_per_visit", float, 0.0, "EUR/visit", 0.0, 1000.0,
       "Drop-in fee paid at each visit by those who are not members (visitors, contributors, creators); staff, partners, residents, engineers and organisations do not pay.",
       "case study: quasi-free at the open lab"),
    _p("access", "wtp_median", float, 4.5, "EUR/visit", 0.01, 10000.0,
       "Median willingness to pay for one visit: each person draws it (lognormal) once; someone whose willingness is below the drop-in fee does not come (a first visit, a comeback, a return after a price rise).",
       "assumption, calibrated so that a EUR 5 fee at the open lab keeps about two thirds of its newcomers and three quarters of its visits (check M1; UK national museums' visits rose ~70% when their fees (GBP 5-7) were dropped in 2001, so a fee kept ~60%: Martin 2003, DCMS); re-calibrated in issue 21 (was 6.5) when regulars, who mostly come free, came to make more of the visits"),
    _p("access", "wtp_sigma", float, 1.0, "1 (log sd)", 0.0, 3.0,
       "Spread of the willingness to pay (lognormal log standard deviation).",
       "assumption (cultural-participation surveys: a wide spread of willingness to pay)"),
    _p("access", "subscription_prob", float, 0.03, "1/visit", 0.0, 1.0,
       "Chance, per visit from the second on, that a non-member takes a membership when it is worth its fee to them. Membership is its own state, not a rung: a member may stay an occasional visitor (they come free, every member_interval_days on average); a member who has had the machines' introduction (a workshop: members are seated before walk-ins, after those who booked) works on their own and becomes a regular. A regular facing a drop-in fee above their willingness to pay considers one at every visit.",
       "calibrated, with member_return_effect, to the open lab's 166 subscribers with its 100-150 regulars (case study); makerspaces: members pay for access and come now and then (MakeHaven dashboard)"),
    _p("access", "subscription_fee", float, 0.0, "EUR/membership", 0.0, 100000.0,
       "Fee of a membership; members come free for membership_days. A person takes (or renews) it only if it is worth it to them: willingness to pay per visit x the visits they expect in the period >= the fee.",
       "case study: quasi-free at the open lab; makerspaces charge ~EUR 30-100 a month (State of Makerspaces 2015)"),
    _p("access", "fee_habit_days", float, 70.0, "days", 1.0, 3650.0,
       "Habit: a regular whose willingness to pay is below a new drop-in fee does not stop at once; they keep coming while they reconsider, and the chance they still come after t days is exp(-t / this) (a time scale, so a daily regular and a weekly one drop out over the same weeks). At each such visit they may take a membership instead, if it is worth it to them.",
       "DellaVigna & Malmendier 2006 (Paying not to go to the gym, AER 96(3)): members take ~2.3 months on average between their last visit and cancelling; assumption that a new fee is reconsidered on the same time scale"),
    _p("access", "member_interval_days", float, 14.0, "days", 1.0, 3650.0,
       "Mean days between the visits of a member who is not (or not yet) a regular: a membership (a card, machine access, a community) brings people back more often than an occasional visitor, less than a regular.",
       "assumption; MakeHaven dashboard: 61% of members active in a given quarter (members come now and then)"),
    _p("access", "member_return_effect", float, 0.1, "probability", 0.0, 1.0,
       "Added to an occasional visitor's chance of coming back while they hold a membership (a commitment made; they have the card).",
       "assumption (Gourville & Soman 1998: people use what they paid or signed up for, payment depreciation); calibrated with subscription_prob to the open lab's ~166 subscribers with 100-166 regulars (case study)"),
    _p("access", "membership_days", float, 365.0, "days", 1.0, 3650.0,
       "Length of a membership; at its end the member renews (paying again) if it is still worth its fee.",
       "assumption: a yearly membership"),
    _p("access", "workshop_fee", float, 0.0, "EUR/seat", 0.0, 10000.0,
       "Fee of a workshop seat; a newcomer books a seat only if their willingness to pay is at least the fee.",
       "case study: quasi-free workshops at the open lab"),
    # -- programme ---------------------------------------------------
    _p("programme", "workshops_per_year", float, 50.0, "workshops/year", 0.0, 10000.0,
       "Workshops and introductions run by a mediator, spread evenly over the year.",
       "case study: ~50 workshops / introductions a year"),
    _p("programme", "workshop_size", int, 10, "seats", 1, 500,
       "Seats in a workshop: booked newcomers first, then untrained visitors present; attendees share the mediator's attention and are trained.",
       "State of Makerspaces survey 2015: workshops average 6-10 attendees; 6-12 seats"),
    _p("programme", "workshop_newcomers", float, 6.0, "persons/workshop", 0.0, 500.0,
       "Mean newcomers who book a workshop through the host's own programme (times access and price deterrence); seats bound them.",
       "assumption"),
    _p("programme", "events_per_year", float, 20.0, "events/year", 0.0, 365.0,
       "Big events (challenge weekends, theme days), spread evenly over the year.",
       "case study: ~20 big events a year"),
    _p("programme", "event_newcomers", float, 35.0, "persons/event", 0.0, 20000.0,
       "Mean newcomers a big event draws through the host's publicity (times access and price deterrence), besides those aware of the lab (event_pool_pull).",
       "assumption, calibrated with discovery_rate"),
    _p("programme", "event_attention", float, 0.3, "share", 0.0, 1.0,
       "Attention each of a big event's crowd (those who came for it that day) gets from its planned programme; the crowd meets in its own session, so the lab's everyday sessions go on beside it and share neither the mediators' attention nor the peers' help with it.",
       "makerspace practitioners: most new members first came on a tour or an open night (shared/DOMAIN.md); assumption for the value, lower than the attention of an open day, so that an event's newcomers come back less often than a workshop's but not never"),
    _p("programme", "project_sessions_per_week", float, 2.0, "sessions/week", 0.0, 14.0,
       "Project sessions a week where contributors and partners work on shared projects.",
       "assumption"),
    _p("programme", "creator_share", float, 0.01, "1", 0.0, 1.0,
       "Share of newcomers who come as creators (artists among the public) rather than visitors.",
       "case study: artists are also creators among the open lab's public (assumption for the share)"),
    _p("programme", "work_rate", float, 0.01, "works/visit", 0.0, 1.0,
       "Chance that a project-session visit by a contributor, partner or creator finishes a work (scaled by talent x 2).",
       "assumption"),
    # -- mediation ---------------------------------------------------
    _p("mediation", "mediators", int, 10, "persons", 0, 1000,
       "Staff who welcome, teach, run workshops and broker ties.",
       "case study: 10 at the open lab (2 project leads + 8 mediators); 8 staff at the art lab"),
    _p("mediation", "mediator_capacity", float, 5.0, "persons/day", 0.0, 100.0,
       "People one mediator can give full attention to in a day; shared among those present.",
       "assumption"),
    _p("mediation", "introductions_per_day", float, 1.0, "introductions/mediator/day", 0.0, 20.0,
       "Introductions a mediator makes on an open day between a newcomer and a regular present.",
       "assumption (Cottica et al. 2017: managers' ties reach the periphery)"),
    _p("mediation", "attention_weight", float, 0.57, "quality", 0.0, 1.0,
       "Weight of mediator attention in a visit's quality; in open and project sessions the attention is the co-production share (1 - internal_friction) of the staff's time.",
       "Joyce & Kraut 2006: a reply raises return from 44% to 56%; with return_quality_effect 0.3 and the default friction 0.3, full attention adds 12 points (0.57 x 0.7 x 0.3)"),
    # -- peers -------------------------------------------------------
    _p("peers", "peer_help_per_contributor", float, 2.0, "newcomers/contributor/day", 0.0, 20.0,
       "Newcomers one contributor or partner present can help in a day (peer to peer).",
       "case study: MIT fab charter, peer to peer; assumption for the rate"),
    _p("peers", "peer_weight", float, 0.2, "quality", 0.0, 1.0,
       "Weight of peer help in a newcomer's visit quality.",
       "Zhou & Mockus 2012: low peer attention lowers newcomers' odds"),
    _p("peers", "open_documentation", float, 1.0, "1", 0.0, 1.0,
       "Share of the documentation that is open to everyone (wiki written by users).",
       "case study: open-source documentation wiki at the open lab; none at the art lab"),
    _p("peers", "doc_weight", float, 0.2, "quality", 0.0, 1.0,
       "Weight of available open documentation in a visit's quality.",
       "assumption"),
    _p("peers", "doc_pages_per_visit", float, 0.05, "pages/visit", 0.0, 10.0,
       "Documentation pages a contributor or partner writes per visit.",
       "assumption"),
    _p("peers", "initial_doc_pages", float, 200.0, "pages", 0.0, 1000000.0,
       "Documentation pages at the start of the run.",
       "assumption: a wiki started with the lab"),
    _p("peers", "doc_half_life_years", float, 3.0, "years", 0.1, 100.0,
       "Half-life of a documentation page before it goes out of date (machines and software change).",
       "assumption"),
    _p("peers", "doc_half_saturation", float, 200.0, "pages", 1.0, 1000000.0,
       "Pages at which documentation gives half its benefit (pages / (pages + this)).",
       "assumption"),
    _p("peers", "ties_per_activity", int, 2, "ties/attendee", 0, 20,
       "Co-attendees each attendee ties to in one activity (bounded, so a big event makes no clique).",
       "assumption"),
    # -- ladder ------------------------------------------------------
    _p("ladder", "base_quality", float, 0.35, "quality", 0.0, 1.0,
       "Quality of a visit with no attention, no peers, no documentation and no friction.",
       "assumption"),
    _p("ladder", "quality_noise", float, 0.1, "quality (sd)", 0.0, 1.0,
       "Standard deviation of the random part of a visit's quality.",
       "assumption"),
    _p("ladder", "engagement_half_life_days", float, 45.0, "days", 1.0, 3650.0,
       "Half-life of engagement between visits.",
       "Gardner 2011: newcomers' half-life 4-9 months (assumption for individual engagement)"),
    _p("ladder", "return_base_visitor", float, 0.047, "1/visit", 0.0, 1.0,
       "Chance a visitor of average propensity comes back after a visit of quality 0.5, before engagement (which already counts this visit), training and price.",
       "FabLab Amsterdam 2012: mostly one-off users; calibrated to a long tail (Nielsen 2006) and 1-2% regulars"),
    _p("ladder", "return_base_contributor", float, 0.975, "1/visit", 0.0, 1.0,
       "Chance a contributor comes back after a visit (about 48 visits a year: 0.975^48 = 0.3 keep coming without a break; with comebacks about half are still members a year on).",
       "CNCS 2008 (~1 in 3 volunteers lost a year), MakeHaven (58% of new members still members after 12 months); calibrated"),
    _p("ladder", "return_base_partner", float, 0.985, "1/visit", 0.0, 1.0,
       "Chance a partner comes back after a visit.",
       "CNCS 2008, with partners more committed (assumption)"),
    _p("ladder", "return_quality_effect", float, 0.3, "1/quality", 0.0, 2.0,
       "Change in a visitor's (or creator's) return chance per unit of visit quality above or below 0.5; regulars return at their base rate.",
       "Joyce & Kraut 2006 (see attention_weight)"),
    _p("ladder", "return_engagement_effect", float, 0.06, "1/engagement", 0.0, 1.0,
       "Change in a visitor's return chance per unit of engagement.",
       "Zhou & Mockus 2012: early success roughly doubles the odds"),
    _p("ladder", "propensity_sigma", float, 0.8, "1 (log sd)", 0.0, 3.0,
       "Spread of people's propensity to come (time, interest, distance): lognormal with mean 1 and this log standard deviation; it scales the return chance and the pace of visits.",
       "assumption; Nielsen 2006 (participation inequality), FabLab Amsterdam 2012 (a real middle of repeat users)"),
    _p("ladder", "training_return_effect", float, 0.15, "1", 0.0, 1.0,
       "Added to a visitor's return chance once trained in a workshop (a skill, a machine licence).",
       "assumption (Zhou & Mockus 2012: early success roughly doubles the odds)"),
    _p("ladder", "training_quality_bonus", float, 0.15, "quality", 0.0, 1.0,
       "Added to the quality of a trained person's visits: they can work alone.",
       "assumption"),
    _p("ladder", "interval_visitor_days", float, 21.0, "days", 1.0, 3650.0,
       "Mean days between an occasional visitor's visits, for a person of average propensity (keener people come sooner: divided by the square root of their propensity); the next visit can be the next day.",
       "assumption"),
    _p("ladder", "interval_contributor_days", float, 7.0, "days", 1.0, 3650.0,
       "Mean days between a contributor's visits, for a person of average propensity (divided by the square root of the propensity, at least a day); the next visit can be the next day.",
       "assumption: a weekly regular"),
    _p("ladder", "interval_partner_days", float, 5.0, "days", 1.0, 3650.0,
       "Mean days between a partner's visits, for a person of average propensity (divided by the square root of the propensity, at least a day).",
       "assumption"),
    _p("ladder", "contributor_visits", int, 9, "visits", 2, 100,
       "Visits within the window that make a visitor a contributor (a regular).",
       "assumption (Preece & Shneiderman 2009: reader to contributor)"),
    _p("ladder", "contributor_window_days", float, 45.0, "days", 1.0, 3650.0,
       "Window in which contributor_visits must fall.",
       "assumption"),
    _p("ladder", "contributor_selectivity", float, 0.0, "1", 0.0, 1.0,
       "Talent a would-be contributor needs to be accepted as a regular (selective membership); 0 admits everyone.",
       "assumption (Halfaker et al. 2013: selection has a cost)"),
    _p("ladder", "partner_min_engagement", float, 3.0, "engagement", 0.0, 100.0,
       "Engagement a contributor needs to become a partner.",
       "assumption"),
    _p("ladder", "partner_min_ties", int, 8, "ties", 0, 1000,
       "Collaboration ties a contributor needs to become a partner.",
       "assumption"),
    _p("ladder", "partner_min_coleads", int, 1, "activities", 0, 100,
       "Activities a contributor must have co-led to become a partner.",
       "case study: partners co-organise events and lead projects"),
    _p("ladder", "partner_promotion_prob", float, 0.004, "1/visit", 0.0, 1.0,
       "Chance per visit that an eligible contributor becomes a partner while the staff's capacity is empty; it falls in proportion as the capacity fills (see partners_per_mediator).",
       "assumption, calibrated to a core of ~15 (re-calibrated in issue 21, when the keenest regulars came most days)"),
    _p("ladder", "colead_prob", float, 0.2, "1/session", 0.0, 1.0,
       "Chance, per regular present, that a regular co-leads a project session with a mediator.",
       "assumption"),
    _p("ladder", "partners_per_mediator", float, 20.0, "partners/mediator", 0.0, 100.0,
       "Partnerships one mediator's co-production time can carry: the staff's capacity S = mediators x this x (1 - internal_friction); with the community's (core_per_contributor) it sets the capacity for individual partners, S K / (S + K), and promotion gets harder as it fills. Partner organisations' relations use the staff's alone.",
       "assumption, calibrated with core_per_contributor to a core of ~15 (case study; re-calibrated in issue 21 (3.0) and issue 30 (20.0), when the community came to bound the core too)"),
    _p("ladder", "core_per_contributor", float, 0.22, "partners/contributor", 0.0, 100.0,
       "Partnerships the community itself can carry per contributor active now: projects and peers bring regulars into the core. The capacity for individual partners is S K / (S + K), S the staff's (mediators x partners_per_mediator x (1 - internal_friction)) and K this x the contributors active now: it grows with the community, bounded by the staff's attention (0: the staff's alone).",
       "assumption (Wenger et al. 2002: the core is 10-15% of a community of practice, whatever its size); calibrated with partners_per_mediator to a core of ~15 (case study)"),
    _p("ladder", "internal_friction", float, 0.3, "1", 0.0, 1.0,
       "Staff resistance and administrative brakes: the share of the staff's time taken from co-production with users and given to classic transmission (guided visits); it lowers the attention given in open and project sessions and the capacity for partners (x (1 - friction)), and lengthens partnerships' lead time (/ (1 - friction)).",
       "case study: staff resistance, confidentiality and administrative brakes at the open lab"),
    _p("ladder", "contributor_lapse_days", float, 60.0, "days", 1.0, 3650.0,
       "Days without a visit after which a contributor is demoted to (lapsed) visitor.",
       "assumption"),
    _p("ladder", "partner_lapse_days", float, 90.0, "days", 1.0, 3650.0,
       "Days without a visit after which a partner is demoted to contributor.",
       "assumption"),
    _p("ladder", "forget_after_days", float, 365.0, "days", 1.0, 36500.0,
       "Days after someone leaves before the run forgets them (agent and ties dropped, visits kept for the counts); keeps multi-year runs from growing.",
       "assumption: ties fade within a year of the last contact"),
    # -- dormancy ----------------------------------------------------
    _p("dormancy", "reactivation_rate", float, 0.015, "1/week", 0.0, 7.0,
       "Weekly hazard that a dormant person (one who stopped coming) comes back, just after they stopped, times their weight (their propensity, at most 2, times the booking and price deterrence).",
       "assumption; makerspace practitioners: members ebb and flow"),
    _p("dormancy", "reactivation_fade_days", float, 120.0, "days", 1.0, 3650.0,
       "Days over which the pull to come back fades by a factor e.",
       "assumption; Gardner 2011: newcomers' half-life 4-9 months"),
    _p("dormancy", "reactivation_event_boost", float, 0.5, "1/event", 0.0, 100.0,
       "Relative rise of the comeback hazard for each big event held that week.",
       "assumption (practitioners: open nights bring people back)"),
    _p("dormancy", "reactivation_wom_boost", float, 1.0, "1", 0.0, 100.0,
       "Relative rise of the comeback hazard per unit share of good visits that week (word of mouth).",
       "assumption"),
    # -- start -------------------------------------------------------
    _p("start", "warmup_years", float, 2.0, "years", 0.0, 20.0,
       "Years simulated before the measured period (burn-in); `years` of a run is the measured horizon after it.",
       "assumption; presets set it to the lab's age at the time of the study"),
    _p("start", "initial_contributors", int, 0, "persons", 0, 100000,
       "Regulars present when the run starts (a lab that has run for a while).",
       "assumption: near the steady state, so that a short warm-up suffices"),
    _p("start", "initial_partners", int, 0, "persons", 0, 10000,
       "Individual partners (the core) present when the run starts.",
       "assumption: near the steady state"),
    _p("start", "initial_dormant", int, 0, "persons", 0, 1000000,
       "Former visitors who stopped coming before the run starts (dormant; they may come back).",
       "assumption: near the steady state"),
    _p("start", "initial_former_regulars", int, 0, "persons", 0, 100000,
       "Former regulars who stopped coming within the past year (dormant; keen, they may come back and climb again).",
       "assumption: near the steady state (makerspace members ebb and flow)"),
    _p("start", "initial_awareness", float, 0.0, "persons", 0.0, 10000000.0,
       "People aware of the lab (reputation) when the run starts.",
       "assumption: near the steady state"),
    # -- residency ---------------------------------------------------
    _p("residency", "residency_calls_per_year", float, 0.0, "calls/year", 0.0, 52.0,
       "Calls for residencies a year; staff select artists among applicants.",
       "case study: 10 residency projects since 2011 at the art lab"),
    _p("residency", "residency_applicants", float, 15.0, "applicants/call", 0.0, 1000.0,
       "Mean applicants to a call.",
       "assumption"),
    _p("residency", "residency_slots", int, 1, "artists/call", 0, 100,
       "Most artists selected in one call.",
       "assumption"),
    _p("residency", "selectivity", float, 0.5, "1", 0.0, 1.0,
       "Talent a residency applicant needs to be selected (talent is uniform in [0, 1]).",
       "assumption (Halfaker et al. 2013: selection has a cost)"),
    _p("residency", "residency_days", float, 90.0, "days", 1.0, 3650.0,
       "Length of a residency.",
       "assumption"),
    _p("residency", "residency_visits_per_week", float, 3.0, "visits/week", 0.0, 7.0,
       "Working days an artist in residence spends at the lab each week.",
       "assumption"),
    _p("residency", "works_per_residency", float, 1.5, "works", 0.0, 100.0,
       "Mean works co-produced in a residency (scaled by the artist's talent x 2).",
       "case study: residencies co-produce works"),
    # -- engineers --------------------------------------------------
    _p("engineers", "engineer_providers", int, 0, "persons", 0, 200,
       "Engineers available to the lab as paid service providers (not on the ladder: they are hired by the hour).",
       "case study: engineers as paid providers at the art lab"),
    _p("engineers", "engineer_hours_per_year", float, 400.0, "hours/engineer/year", 0.0, 2000.0,
       "Hours one engineer can sell the lab in a year (the pool of hours residencies hire from).",
       "assumption: a freelance working part of the year for one client (~50 days)"),
    _p("engineers", "engineer_hours_per_residency", float, 0.0, "hours/residency", 0.0, 5000.0,
       "Engineer hours a residency hires (as many as the year's pool has left).",
       "case study: residencies co-produced with engineers paid as providers; assumption for the hours"),
    _p("engineers", "engineer_rate", float, 60.0, "EUR/hour", 0.0, 10000.0,
       "Fee of one engineer hour, paid by the lab.",
       "assumption: French freelance engineers bill ~EUR 400-500 a day (Malt/Crème de la crème rate surveys)"),
    _p("engineers", "engineer_output_effect", float, 1.0, "1", 0.0, 10.0,
       "Most a residency's works can grow with engineer hours: works x (1 + effect x hours / (hours + engineer_half_hours)).",
       "assumption"),
    _p("engineers", "engineer_half_hours", float, 100.0, "hours", 1.0, 100000.0,
       "Engineer hours that give half the most growth of a residency's works.",
       "assumption"),
    # -- market -------------------------------------------------------
    _p("market", "client_pool", int, 0, "organisations", 0, 10000,
       "Prospective client companies the lab can reach; those who rent, buy or commission become clients (nodes tied to staff and artists).",
       "case study: companies rent or buy the art lab's works"),
    _p("market", "client_interest", float, 0.05, "1/work", 0.0, 1.0,
       "Chance that one prospective company wants a work offered, at a full portfolio and full reputation: x portfolio / (portfolio + portfolio_half_works) x renown / (renown + renown_half).",
       "assumption"),
    _p("market", "portfolio_half_works", float, 10.0, "works", 0.1, 100000.0,
       "Works in the lab's portfolio at which companies' interest is half its most.",
       "assumption"),
    _p("market", "renown_half", float, 200.0, "persons", 1.0, 10000000.0,
       "People aware of the lab (reputation) at which companies' interest is half its most.",
       "assumption"),
    _p("market", "rental_share", float, 0.5, "1", 0.0, 1.0,
       "Share of deals on works that are rentals (the rest are sales).",
       "case study: works rented or sold to companies; assumption for the share"),
    _p("market", "work_price", float, 6000.0, "EUR/work", 0.0, 10000000.0,
       "Price of a work sold.",
       "assumption: digital art commissions of a few thousand euros"),
    _p("market", "rental_fee_per_month", float, 500.0, "EUR/month", 0.0, 1000000.0,
       "Monthly fee of a rented work, paid each month of the rental.",
       "assumption"),
    _p("market", "rental_months", int, 6, "months", 1, 120,
       "Length of a rental; the work then comes back to the portfolio and can be rented again.",
       "assumption"),
    _p("market", "artist_rights_share", float, 0.5, "1", 0.0, 1.0,
       "Artist's share of the income of a sale or rental (both hold rights); the lab keeps the rest.",
       "case study: co-production, rights shared with the artist"),
    _p("market", "company_projects_per_year", float, 0.0, "requests/year", 0.0, 1000.0,
       "Requests from companies for paid services around a project (a prototype, an installation, a study), drawn from the client pool.",
       "case study: paid services around projects (the open lab's plan; the art lab's co-production with companies)"),
    _p("market", "service_price", float, 10000.0, "EUR/project", 0.0, 10000000.0,
       "Price the lab charges for a company project.",
       "assumption"),
    _p("market", "company_project_days", float, 60.0, "days", 1.0, 3650.0,
       "Length of a company project.",
       "assumption"),
    _p("market", "project_team_size", int, 3, "persons", 0, 100,
       "Regulars (contributors, partners) on a company project's team, with one mediator.",
       "assumption"),
    _p("market", "confidential_share", float, 0.0, "1", 0.0, 1.0,
       "Share of company projects the lab accepts under confidentiality: the team writes no open documentation and makes no ties outside itself while it lasts.",
       "case study: confidentiality and open source slow the work with companies"),
    _p("market", "open_project_acceptance", float, 0.4, "1", 0.0, 1.0,
       "Chance that a company goes ahead with a project whose results are open (documented, open source); confidential projects always go ahead.",
       "case study: open source slows the work with companies; assumption for the number"),
    _p("market", "doc_pages_per_project", float, 5.0, "pages/project", 0.0, 10000.0,
       "Documentation pages an open company project writes at its end (times open_documentation).",
       "assumption"),
    # -- partnerships -------------------------------------------------
    _p("partnerships", "partner_organisations", int, 3, "organisations", 0, 1000,
       "Partner organisations (companies, research labs, schools) at the start; more join from organisation_pool and idle ones leave.",
       "case study: research with a user lab, companies around free projects"),
    _p("partnerships", "organisation_pool", int, 20, "organisations", 0, 10000,
       "Prospective partner organisations (companies, research labs, schools) around the lab.",
       "assumption"),
    _p("partnerships", "organisation_join_per_event", float, 0.01, "1/event", 0.0, 1.0,
       "Chance that a prospective organisation starts a partnership after a big event.",
       "case study: partnerships come through events and the core's ties; assumption for the number"),
    _p("partnerships", "organisation_join_per_partner_year", float, 0.05, "1/partner/year", 0.0, 100.0,
       "Partnerships started a year through each individual partner's ties.",
       "assumption"),
    _p("partnerships", "partnership_lead_days", float, 60.0, "days", 0.0, 3650.0,
       "Administrative lead time of a partnership without friction; it is divided by (1 - internal_friction).",
       "case study: administrative brakes at the open lab; assumption for the number"),
    _p("partnerships", "organisation_interval_days", float, 30.0, "days", 1.0, 3650.0,
       "Mean days between an organisation's visits (meetings, joint work).",
       "assumption: a monthly meeting"),
    _p("partnerships", "organisation_return", float, 0.95, "1/visit", 0.0, 1.0,
       "Chance an organisation keeps the relation going after a visit (times capacity / load once the staff's capacity for partnerships is exceeded); otherwise the relation goes idle and the organisation leaves.",
       "assumption"),
    # -- blog --------------------------------------------------------
    _p("blog", "blog_new_authors_per_year", float, 0.0, "authors/year", 0.0, 100000.0,
       "Web users who start writing for the lab's public blog in a year.",
       "case study: a collaborative blog open to any web user (art lab)"),
    _p("blog", "blog_articles_per_author_year", float, 3.0, "articles/author/year", 0.0, 365.0,
       "Articles a new author submits in a year, before any rejection.",
       "assumption"),
    _p("blog", "moderation", bool, True, "-", None, None,
       "Whether staff moderate blog articles before they appear.",
       "case study: articles moderated before they appear"),
    _p("blog", "moderation_accept_rate", float, 0.7, "1", 0.0, 1.0,
       "Share of articles accepted when moderated.",
       "assumption"),
    _p("blog", "blog_rejection_discouragement", float, 0.3, "1", 0.0, 1.0,
       "Factor on an author's rate of submission after each rejection; an author whose rate falls below a tenth of the new authors' rate stops.",
       "Halfaker et al. 2013: newcomers whose work is rejected are far less likely to contribute again"),
    _p("blog", "blog_applicants_per_article", float, 0.05, "applicants/article", 0.0, 100.0,
       "Added applicants to each residency call per article published in the past year (the blog brings applications).",
       "case study: the blog and the residency calls of the art lab; assumption for the number"),
    # -- budget -------------------------------------------------------
    _p("budget", "staff_cost_per_year", float, 50000.0, "EUR/mediator/year", 0.0, 10000000.0,
       "Cost of one mediator a year to the lab (salary and employer's charges).",
       "assumption: a Paris cultural mediator's gross salary ~EUR 30-35k a year plus ~45% employer's charges (APEC/INSEE ranges)"),
    _p("budget", "space_m2", float, 500.0, "m2", 0.0, 1000000.0,
       "Floor area of the lab.",
       "case study: 500 m2 at the open lab, 100 m2 at the art lab"),
    _p("budget", "rent_per_m2_year", float, 300.0, "EUR/m2/year", 0.0, 100000.0,
       "Rent and running costs of the space a year per m2 (counted even when the host provides it in kind).",
       "assumption: Paris office rents of ~EUR 300-700 per m2 a year in 2015 (brokers' market reports)"),
    _p("budget", "materials_per_visit", float, 1.5, "EUR/visit", 0.0, 10000.0,
       "Consumables used per visit (wood, filament, electronics).",
       "assumption"),
    _p("budget", "materials_per_workshop", float, 150.0, "EUR/workshop", 0.0, 1000000.0,
       "Consumables and kits of one workshop.",
       "assumption"),
    _p("budget", "subsidy_per_year", float, 0.0, "EUR/year", 0.0, 1000000000.0,
       "Public subsidy a year (or the host's funding of the lab): under subsidy_rule 'fixed' the grant paid whatever the lab spends; under 'deficit' the most the funder pays to cover the lab's deficit.",
       "case study: the open lab is funded by its public host"),
    _p("budget", "subsidy_rule", str, "fixed", "-", None, None,
       "How the subsidy is paid: 'fixed' (a grant of subsidy_per_year, so a saving or a new income shows in the net result) or 'deficit' (the funder covers the deficit of the measured period up to subsidy_per_year a year, so a saving lowers the public cost and the net result stays near zero). The public cost (public_cost) is what the funder pays either way.",
       "case study: a public lab's host funds its running costs (the open lab at Universcience); a city grant or a residency grant is fixed", ("fixed", "deficit")),
)
# fmt: on

PARAM_BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMS))


GROUP_TITLES = {
    "host": "Host and space",
    "arrivals": "Arrivals: awareness and word of mouth",
    "access": "Access and price",
    "programme": "Programme",
    "mediation": "Mediation",
    "peers": "Peers and documentation",
    "ladder": "Engagement and the ladder",
    "dormancy": "Dormancy and comebacks",
    "start": "Start and warm-up",
    "residency": "Residencies",
    "engineers": "Engineers as paid providers",
    "market": "Clients, works and company projects",
    "partnerships": "Partner organisations",
    "blog": "The blog",
    "budget": "The lab's budget",
}

FILE_KEYS = (
    ("name", "string", "the file's stem", "Name of the scenario, used in outputs."),
    ("description", "string", '""', "One line on what the scenario is."),
    (
        "extends",
        "string",
        "none",
        "A preset name or a path (relative to this file) whose keys this file overrides. "
        "Interventions are inherited unless this file gives its own.",
    ),
    (
        "public_market",
        "number in [0, 1]",
        "derived",
        "Place on the case study's map: 0 = public mission, 1 = market. "
        "Derived from the knobs when not stated (see `sim.config.scenario.derived_map`).",
    ),
    (
        "open_closed",
        "number in [0, 1]",
        "derived",
        "Place on the map: 0 = open & collaborative, 1 = closed & receptive.",
    ),
    (
        "[[interventions]]",
        "array of tables",
        "none",
        "Timed changes of governance: `at` (day, 0 < at < horizon) and "
        'any scenario keys, e.g. `at = 365`, `access = "appointment"`, `mediators = 5`. Staff are hired or let go; '
        "the rest of the year's programme is re-planned.",
    ),
)


def markdown() -> str:
    """Render the scenario-key reference (docs/scenarios.md) from PARAMS."""
    lines = [
        "# Scenario keys",
        "",
        "Generated from `sim/config/schema.py` by `labsim scenarios --describe --markdown`; do not edit by hand.",
        "A scenario file is TOML with flat keys; a key left out takes its default.",
        "",
        "Column *on a day*: **yes** if an intervention or a policy forked from a saved mature lab",
        "(`labsim warmup`, `--from`) can change the key on a given day; **start only** if the key defines how",
        "the lab started (its initial population, its warm-up), which a fork refuses by name.",
        "",
        "## File keys",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *(f"| `{k}` | {t} | {d} | {m} |" for k, t, d, m in FILE_KEYS),
    ]
    for group in GROUPS:
        lines += [
            "",
            f"## {GROUP_TITLES[group]}",
            "",
            "| key | unit | default | allowed | on a day | meaning | source |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in PARAMS:
            if p.group == group:
                default = (
                    str(p.default).lower() if p.kind is bool else repr(p.default) if p.kind is str else f"{p.default:g}"
                )
                when = "start only" if p.start_only else "yes"
                lines.append(f"| `{p.name}` | {p.unit} | {default} | {p.allowed()} | {when} | {p.doc} | {p.source} |")
    return "\n".join(lines) + "\n"


def describe() -> str:
    """Plain-text reference of every key, for the terminal."""
    out = []
    for group in GROUPS:
        out.append(f"\n{GROUP_TITLES[group]}")
        for p in PARAMS:
            if p.group == group:
                out.append(
                    f"  {p.name} = {p.default!r}  [{p.unit}; {p.allowed()}{'; start only' if p.start_only else ''}]"
                    f"\n      {p.doc}\n      source: {p.source}"
                )
    return "\n".join(out).lstrip("\n")
