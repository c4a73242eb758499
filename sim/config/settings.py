"""The typed settings of a lab: one field per scenario key, generated from `sim/config/schema.py`.

Do not edit: regenerate with `python -c 'import sim.config.schema as s; s.write_settings()'` (a test fails when this file and the schema differ).
Units, ranges and sources are in `sim/config/schema.py` and `docs/scenarios.md`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated values of every scenario key (see `sim.config.schema.PARAMS`)."""

    host_footfall_per_day: float = 5500.0
    """People passing through the host institution on an open day; the pool from which newcomers discover the lab. [persons/day; a number in [0, 1e+06]]"""
    discovery_rate: float = 0.0012
    """Share of the host's footfall that discovers the lab and walks in for a first visit on an open day. [1/person; a number in [0, 1]]"""
    open_days_per_week: int = 6
    """Days a week the lab opens to participants (staff work on the others). [days/week; an integer in [1, 7]]"""
    space_capacity: int = 60
    """People the space holds in a day before crowding lowers the quality of visits. [persons/day; an integer in [1, 10000]]"""
    crowding_penalty: float = 0.5
    """Loss of visit quality per unit of overload (present/capacity - 1). [quality/overload; a number in [0, 5]]"""
    awareness_half_life_days: float = 120.0
    """Half-life of the lab's awareness: people who heard of it (events, workshops, documentation, blog, word of mouth) and have not come forget it. [days; a number in [1, 3650]]"""
    awareness_uptake: float = 0.005
    """Share of the people aware of the lab who come for a first visit on an open day (times access and price deterrence). [1/day; a number in [0, 1]]"""
    event_reach: float = 100.0
    """People a big event's publicity reaches who do not come that day but now know of the lab (reputation). [persons/event; a number in [0, 100000]]"""
    event_pool_pull: float = 0.05
    """Share of the people aware of the lab who come to a big event (part of its crowd). [1/event; a number in [0, 1]]"""
    workshop_reach: float = 20.0
    """People a workshop's announcement reaches who now know of the lab (reputation). [persons/workshop; a number in [0, 10000]]"""
    doc_reach_per_year: float = 1000.0
    """People a year who find the lab through its documentation read online, at full documentation (times open_documentation x pages / (pages + doc_half_saturation)). [persons/year; a number in [0, 1e+06]]"""
    blog_reach_per_article: float = 20.0
    """People one published blog article makes aware of the lab. [persons/article; a number in [0, 100000]]"""
    good_visit_quality: float = 0.55
    """Visit quality at or above which a person speaks well of the lab (word of mouth). [quality; a number in [0, 1]]"""
    word_of_mouth_per_good_visit: float = 0.18
    """People told about the lab after one good visit, by anyone (visitors and regulars alike). [persons/visit; a number in [0, 100]]"""
    access: str = "open"
    """Access rule: 'open' (walk in) or 'appointment' (book a slot first: appointment_slots_per_day x slot_size visits a day, booking_effort, booking_lead_days). [-; one of 'open', 'appointment']"""
    appointment_slots_per_day: int = 3
    """Under appointment access: bookable time slots a day; each slot seats one team (slot_size people). Teams in separate slots do not meet. [slots/day; an integer in [1, 48]]"""
    slot_size: int = 4
    """Under appointment access: people one slot seats (a team working together). [persons/slot; an integer in [1, 1000]]"""
    booking_lead_days: float = 2.0
    """Under appointment access: least days between booking and visit. [days; a number in [0, 365]]"""
    booking_effort: float = 2.5
    """Under appointment access: effort of booking; a would-be visit goes through with chance exp(-effort / (1 + visits so far) ** 2), so it deters newcomers far more than regulars. [1; a number in [0, 20]]"""
    booking_patience_days: float = 7.0
    """Under appointment access: a person told to wait w extra days for a free slot still comes with chance exp(-w / patience). [days; a number in [0.1, 365]]"""
    access_friction: float = 0.05
    """Loss of visit quality caused by having to book (applies only under appointment access). [quality; a number in [0, 1]]"""
    price_per_visit: float = 0.0
    """Drop-in fee paid at each visit by those who are not members (visitors, contributors, creators); staff, partners, residents, engineers and organisations do not pay. [EUR/visit; a number in [0, 1000]]"""
    wtp_median: float = 4.5
    """Median willingness to pay for one visit: each person draws it (lognormal) once; someone whose willingness is below the drop-in fee does not come (a first visit, a comeback, a return after a price rise). [EUR/visit; a number in [0.01, 10000]]"""
    wtp_sigma: float = 1.0
    """Spread of the willingness to pay (lognormal log standard deviation). [1 (log sd); a number in [0, 3]]"""
    subscription_prob: float = 0.03
    """Chance, per visit, that a trained non-member (a visitor with a machine licence, or a contributor) takes a membership when it is worth its fee to them; a visitor who subscribes becomes a contributor at once. [1/visit; a number in [0, 1]]"""
    subscription_fee: float = 0.0
    """Fee of a membership; members come free for membership_days. A person takes (or renews) it only if it is worth it to them: willingness to pay per visit x the visits they expect in the period >= the fee. [EUR/membership; a number in [0, 100000]]"""
    fee_habit_days: float = 70.0
    """Habit: a regular whose willingness to pay is below a new drop-in fee does not stop at once; they keep coming while they reconsider, and the chance they still come after t days is exp(-t / this) (a time scale, so a daily regular and a weekly one drop out over the same weeks). At each such visit they consider a membership instead (training or not), and take it if it is worth it to them. [days; a number in [1, 3650]]"""
    membership_days: float = 365.0
    """Length of a membership; at its end the member renews (paying again) if it is still worth its fee. [days; a number in [1, 3650]]"""
    workshop_fee: float = 0.0
    """Fee of a workshop seat; a newcomer books a seat only if their willingness to pay is at least the fee. [EUR/seat; a number in [0, 10000]]"""
    workshops_per_year: float = 50.0
    """Workshops and introductions run by a mediator, spread evenly over the year. [workshops/year; a number in [0, 10000]]"""
    workshop_size: int = 10
    """Seats in a workshop: booked newcomers first, then untrained visitors present; attendees share the mediator's attention and are trained. [seats; an integer in [1, 500]]"""
    workshop_newcomers: float = 6.0
    """Mean newcomers who book a workshop through the host's own programme (times access and price deterrence); seats bound them. [persons/workshop; a number in [0, 500]]"""
    events_per_year: float = 20.0
    """Big events (challenge weekends, theme days), spread evenly over the year. [events/year; a number in [0, 365]]"""
    event_newcomers: float = 35.0
    """Mean newcomers a big event draws through the host's publicity (times access and price deterrence), besides those aware of the lab (event_pool_pull). [persons/event; a number in [0, 20000]]"""
    project_sessions_per_week: float = 2.0
    """Project sessions a week where contributors and partners work on shared projects. [sessions/week; a number in [0, 14]]"""
    creator_share: float = 0.01
    """Share of newcomers who come as creators (artists among the public) rather than visitors. [1; a number in [0, 1]]"""
    work_rate: float = 0.01
    """Chance that a project-session visit by a contributor, partner or creator finishes a work (scaled by talent x 2). [works/visit; a number in [0, 1]]"""
    mediators: int = 10
    """Staff who welcome, teach, run workshops and broker ties. [persons; an integer in [0, 1000]]"""
    mediator_capacity: float = 5.0
    """People one mediator can give full attention to in a day; shared among those present. [persons/day; a number in [0, 100]]"""
    introductions_per_day: float = 1.0
    """Introductions a mediator makes on an open day between a newcomer and a regular present. [introductions/mediator/day; a number in [0, 20]]"""
    attention_weight: float = 0.57
    """Weight of mediator attention in a visit's quality; in open and project sessions the attention is the co-production share (1 - internal_friction) of the staff's time. [quality; a number in [0, 1]]"""
    peer_help_per_contributor: float = 2.0
    """Newcomers one contributor or partner present can help in a day (peer to peer). [newcomers/contributor/day; a number in [0, 20]]"""
    peer_weight: float = 0.2
    """Weight of peer help in a newcomer's visit quality. [quality; a number in [0, 1]]"""
    open_documentation: float = 1.0
    """Share of the documentation that is open to everyone (wiki written by users). [1; a number in [0, 1]]"""
    doc_weight: float = 0.2
    """Weight of available open documentation in a visit's quality. [quality; a number in [0, 1]]"""
    doc_pages_per_visit: float = 0.05
    """Documentation pages a contributor or partner writes per visit. [pages/visit; a number in [0, 10]]"""
    initial_doc_pages: float = 200.0
    """Documentation pages at the start of the run. [pages; a number in [0, 1e+06]]"""
    doc_half_life_years: float = 3.0
    """Half-life of a documentation page before it goes out of date (machines and software change). [years; a number in [0.1, 100]]"""
    doc_half_saturation: float = 200.0
    """Pages at which documentation gives half its benefit (pages / (pages + this)). [pages; a number in [1, 1e+06]]"""
    ties_per_activity: int = 2
    """Co-attendees each attendee ties to in one activity (bounded, so a big event makes no clique). [ties/attendee; an integer in [0, 20]]"""
    base_quality: float = 0.35
    """Quality of a visit with no attention, no peers, no documentation and no friction. [quality; a number in [0, 1]]"""
    quality_noise: float = 0.1
    """Standard deviation of the random part of a visit's quality. [quality (sd); a number in [0, 1]]"""
    engagement_half_life_days: float = 45.0
    """Half-life of engagement between visits. [days; a number in [1, 3650]]"""
    return_base_visitor: float = 0.047
    """Chance a visitor of average propensity comes back after a visit of quality 0.5, before engagement (which already counts this visit), training and price. [1/visit; a number in [0, 1]]"""
    return_base_contributor: float = 0.975
    """Chance a contributor comes back after a visit (about 48 visits a year: 0.975^48 = 0.3 keep coming without a break; with comebacks about half are still members a year on). [1/visit; a number in [0, 1]]"""
    return_base_partner: float = 0.985
    """Chance a partner comes back after a visit. [1/visit; a number in [0, 1]]"""
    return_quality_effect: float = 0.3
    """Change in a visitor's (or creator's) return chance per unit of visit quality above or below 0.5; regulars return at their base rate. [1/quality; a number in [0, 2]]"""
    return_engagement_effect: float = 0.06
    """Change in a visitor's return chance per unit of engagement. [1/engagement; a number in [0, 1]]"""
    propensity_sigma: float = 0.8
    """Spread of people's propensity to come (time, interest, distance): lognormal with mean 1 and this log standard deviation; it scales the return chance and the pace of visits. [1 (log sd); a number in [0, 3]]"""
    training_return_effect: float = 0.15
    """Added to a visitor's return chance once trained in a workshop (a skill, a machine licence). [1; a number in [0, 1]]"""
    training_quality_bonus: float = 0.15
    """Added to the quality of a trained person's visits: they can work alone. [quality; a number in [0, 1]]"""
    interval_visitor_days: float = 21.0
    """Mean days between an occasional visitor's visits, for a person of average propensity (keener people come sooner: divided by the square root of their propensity); the next visit can be the next day. [days; a number in [1, 3650]]"""
    interval_contributor_days: float = 7.0
    """Mean days between a contributor's visits, for a person of average propensity (divided by the square root of the propensity, at least a day); the next visit can be the next day. [days; a number in [1, 3650]]"""
    interval_partner_days: float = 5.0
    """Mean days between a partner's visits, for a person of average propensity (divided by the square root of the propensity, at least a day). [days; a number in [1, 3650]]"""
    contributor_visits: int = 9
    """Visits within the window that make a visitor a contributor (a regular). [visits; an integer in [2, 100]]"""
    contributor_window_days: float = 45.0
    """Window in which contributor_visits must fall. [days; a number in [1, 3650]]"""
    contributor_selectivity: float = 0.0
    """Talent a would-be contributor needs to be accepted as a regular (selective membership); 0 admits everyone. [1; a number in [0, 1]]"""
    partner_min_engagement: float = 3.0
    """Engagement a contributor needs to become a partner. [engagement; a number in [0, 100]]"""
    partner_min_ties: int = 8
    """Collaboration ties a contributor needs to become a partner. [ties; an integer in [0, 1000]]"""
    partner_min_coleads: int = 1
    """Activities a contributor must have co-led to become a partner. [activities; an integer in [0, 100]]"""
    partner_promotion_prob: float = 0.004
    """Chance per visit that an eligible contributor becomes a partner while the staff's capacity is empty; it falls in proportion as the capacity fills (see partners_per_mediator). [1/visit; a number in [0, 1]]"""
    colead_prob: float = 0.2
    """Chance, per regular present, that a regular co-leads a project session with a mediator. [1/session; a number in [0, 1]]"""
    partners_per_mediator: float = 3.0
    """Partnerships (individual partners and partner organisations) one mediator's co-production time can carry; capacity = mediators x this x (1 - internal_friction), and promotion gets harder as it fills. [partners/mediator; a number in [0, 100]]"""
    internal_friction: float = 0.3
    """Staff resistance and administrative brakes: the share of the staff's time taken from co-production with users and given to classic transmission (guided visits); it lowers the attention given in open and project sessions and the capacity for partners (x (1 - friction)), and lengthens partnerships' lead time (/ (1 - friction)). [1; a number in [0, 1]]"""
    contributor_lapse_days: float = 60.0
    """Days without a visit after which a contributor is demoted to (lapsed) visitor. [days; a number in [1, 3650]]"""
    partner_lapse_days: float = 90.0
    """Days without a visit after which a partner is demoted to contributor. [days; a number in [1, 3650]]"""
    forget_after_days: float = 365.0
    """Days after someone leaves before the run forgets them (agent and ties dropped, visits kept for the counts); keeps multi-year runs from growing. [days; a number in [1, 36500]]"""
    reactivation_rate: float = 0.015
    """Weekly hazard that a dormant person (one who stopped coming) comes back, just after they stopped, times their weight (their propensity, at most 2, times the booking and price deterrence). [1/week; a number in [0, 7]]"""
    reactivation_fade_days: float = 120.0
    """Days over which the pull to come back fades by a factor e. [days; a number in [1, 3650]]"""
    reactivation_event_boost: float = 0.5
    """Relative rise of the comeback hazard for each big event held that week. [1/event; a number in [0, 100]]"""
    reactivation_wom_boost: float = 1.0
    """Relative rise of the comeback hazard per unit share of good visits that week (word of mouth). [1; a number in [0, 100]]"""
    warmup_years: float = 2.0
    """Years simulated before the measured period (burn-in); `years` of a run is the measured horizon after it. [years; a number in [0, 20]]"""
    initial_contributors: int = 0
    """Regulars present when the run starts (a lab that has run for a while). [persons; an integer in [0, 100000]]"""
    initial_partners: int = 0
    """Individual partners (the core) present when the run starts. [persons; an integer in [0, 10000]]"""
    initial_dormant: int = 0
    """Former visitors who stopped coming before the run starts (dormant; they may come back). [persons; an integer in [0, 1000000]]"""
    initial_former_regulars: int = 0
    """Former regulars who stopped coming within the past year (dormant; keen, they may come back and climb again). [persons; an integer in [0, 100000]]"""
    initial_awareness: float = 0.0
    """People aware of the lab (reputation) when the run starts. [persons; a number in [0, 1e+07]]"""
    residency_calls_per_year: float = 0.0
    """Calls for residencies a year; staff select artists among applicants. [calls/year; a number in [0, 52]]"""
    residency_applicants: float = 15.0
    """Mean applicants to a call. [applicants/call; a number in [0, 1000]]"""
    residency_slots: int = 1
    """Most artists selected in one call. [artists/call; an integer in [0, 100]]"""
    selectivity: float = 0.5
    """Talent a residency applicant needs to be selected (talent is uniform in [0, 1]). [1; a number in [0, 1]]"""
    residency_days: float = 90.0
    """Length of a residency. [days; a number in [1, 3650]]"""
    residency_visits_per_week: float = 3.0
    """Working days an artist in residence spends at the lab each week. [visits/week; a number in [0, 7]]"""
    works_per_residency: float = 1.5
    """Mean works co-produced in a residency (scaled by the artist's talent x 2). [works; a number in [0, 100]]"""
    engineer_providers: int = 0
    """Engineers available to the lab as paid service providers (not on the ladder: they are hired by the hour). [persons; an integer in [0, 200]]"""
    engineer_hours_per_year: float = 400.0
    """Hours one engineer can sell the lab in a year (the pool of hours residencies hire from). [hours/engineer/year; a number in [0, 2000]]"""
    engineer_hours_per_residency: float = 0.0
    """Engineer hours a residency hires (as many as the year's pool has left). [hours/residency; a number in [0, 5000]]"""
    engineer_rate: float = 60.0
    """Fee of one engineer hour, paid by the lab. [EUR/hour; a number in [0, 10000]]"""
    engineer_output_effect: float = 1.0
    """Most a residency's works can grow with engineer hours: works x (1 + effect x hours / (hours + engineer_half_hours)). [1; a number in [0, 10]]"""
    engineer_half_hours: float = 100.0
    """Engineer hours that give half the most growth of a residency's works. [hours; a number in [1, 100000]]"""
    client_pool: int = 0
    """Prospective client companies the lab can reach; those who rent, buy or commission become clients (nodes tied to staff and artists). [organisations; an integer in [0, 10000]]"""
    client_interest: float = 0.05
    """Chance that one prospective company wants a work offered, at a full portfolio and full reputation: x portfolio / (portfolio + portfolio_half_works) x renown / (renown + renown_half). [1/work; a number in [0, 1]]"""
    portfolio_half_works: float = 10.0
    """Works in the lab's portfolio at which companies' interest is half its most. [works; a number in [0.1, 100000]]"""
    renown_half: float = 200.0
    """People aware of the lab (reputation) at which companies' interest is half its most. [persons; a number in [1, 1e+07]]"""
    rental_share: float = 0.5
    """Share of deals on works that are rentals (the rest are sales). [1; a number in [0, 1]]"""
    work_price: float = 6000.0
    """Price of a work sold. [EUR/work; a number in [0, 1e+07]]"""
    rental_fee_per_month: float = 500.0
    """Monthly fee of a rented work, paid each month of the rental. [EUR/month; a number in [0, 1e+06]]"""
    rental_months: int = 6
    """Length of a rental; the work then comes back to the portfolio and can be rented again. [months; an integer in [1, 120]]"""
    artist_rights_share: float = 0.5
    """Artist's share of the income of a sale or rental (both hold rights); the lab keeps the rest. [1; a number in [0, 1]]"""
    company_projects_per_year: float = 0.0
    """Requests from companies for paid services around a project (a prototype, an installation, a study), drawn from the client pool. [requests/year; a number in [0, 1000]]"""
    service_price: float = 10000.0
    """Price the lab charges for a company project. [EUR/project; a number in [0, 1e+07]]"""
    company_project_days: float = 60.0
    """Length of a company project. [days; a number in [1, 3650]]"""
    project_team_size: int = 3
    """Regulars (contributors, partners) on a company project's team, with one mediator. [persons; an integer in [0, 100]]"""
    confidential_share: float = 0.0
    """Share of company projects the lab accepts under confidentiality: the team writes no open documentation and makes no ties outside itself while it lasts. [1; a number in [0, 1]]"""
    open_project_acceptance: float = 0.4
    """Chance that a company goes ahead with a project whose results are open (documented, open source); confidential projects always go ahead. [1; a number in [0, 1]]"""
    doc_pages_per_project: float = 5.0
    """Documentation pages an open company project writes at its end (times open_documentation). [pages/project; a number in [0, 10000]]"""
    partner_organisations: int = 3
    """Partner organisations (companies, research labs, schools) at the start; more join from organisation_pool and idle ones leave. [organisations; an integer in [0, 1000]]"""
    organisation_pool: int = 20
    """Prospective partner organisations (companies, research labs, schools) around the lab. [organisations; an integer in [0, 10000]]"""
    organisation_join_per_event: float = 0.01
    """Chance that a prospective organisation starts a partnership after a big event. [1/event; a number in [0, 1]]"""
    organisation_join_per_partner_year: float = 0.05
    """Partnerships started a year through each individual partner's ties. [1/partner/year; a number in [0, 100]]"""
    partnership_lead_days: float = 60.0
    """Administrative lead time of a partnership without friction; it is divided by (1 - internal_friction). [days; a number in [0, 3650]]"""
    organisation_interval_days: float = 30.0
    """Mean days between an organisation's visits (meetings, joint work). [days; a number in [1, 3650]]"""
    organisation_return: float = 0.95
    """Chance an organisation keeps the relation going after a visit (times capacity / load once the staff's capacity for partnerships is exceeded); otherwise the relation goes idle and the organisation leaves. [1/visit; a number in [0, 1]]"""
    blog_new_authors_per_year: float = 0.0
    """Web users who start writing for the lab's public blog in a year. [authors/year; a number in [0, 100000]]"""
    blog_articles_per_author_year: float = 3.0
    """Articles a new author submits in a year, before any rejection. [articles/author/year; a number in [0, 365]]"""
    moderation: bool = True
    """Whether staff moderate blog articles before they appear. [-; true or false]"""
    moderation_accept_rate: float = 0.7
    """Share of articles accepted when moderated. [1; a number in [0, 1]]"""
    blog_rejection_discouragement: float = 0.3
    """Factor on an author's rate of submission after each rejection; an author whose rate falls below a tenth of the new authors' rate stops. [1; a number in [0, 1]]"""
    blog_applicants_per_article: float = 0.05
    """Added applicants to each residency call per article published in the past year (the blog brings applications). [applicants/article; a number in [0, 100]]"""
    staff_cost_per_year: float = 50000.0
    """Cost of one mediator a year to the lab (salary and employer's charges). [EUR/mediator/year; a number in [0, 1e+07]]"""
    space_m2: float = 500.0
    """Floor area of the lab. [m2; a number in [0, 1e+06]]"""
    rent_per_m2_year: float = 300.0
    """Rent and running costs of the space a year per m2 (counted even when the host provides it in kind). [EUR/m2/year; a number in [0, 100000]]"""
    materials_per_visit: float = 1.5
    """Consumables used per visit (wood, filament, electronics). [EUR/visit; a number in [0, 10000]]"""
    materials_per_workshop: float = 150.0
    """Consumables and kits of one workshop. [EUR/workshop; a number in [0, 1e+06]]"""
    subsidy_per_year: float = 0.0
    """Public subsidy a year (or the host's funding of the lab): under subsidy_rule 'fixed' the grant paid whatever the lab spends; under 'deficit' the most the funder pays to cover the lab's deficit. [EUR/year; a number in [0, 1e+09]]"""
    subsidy_rule: str = "fixed"
    """How the subsidy is paid: 'fixed' (a grant of subsidy_per_year, so a saving or a new income shows in the net result) or 'deficit' (the funder covers the deficit of the measured period up to subsidy_per_year a year, so a saving lowers the public cost and the net result stays near zero). The public cost (public_cost) is what the funder pays either way. [-; one of 'fixed', 'deficit']"""
