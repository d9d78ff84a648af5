"""Every category vocabulary of mobsim, once: codes in the outputs are indexes into these."""

from __future__ import annotations

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names of `alert.weekday`, Monday first (minute-of-week 0 is Monday 00:00)."""

PERIODS: tuple[str, ...] = ("day", "evening", "night", "weekend")
"""Presence periods; their clock bounds are the scenario's `periods.*` keys."""

MODES: tuple[str, ...] = ("wartime", "scan")
"""What `mobsim run` simulates: the wartime switch, or the peacetime building-scan campaign."""

PRESENCE_STATES: tuple[str, ...] = ("home", "work", "asleep", "away")
"""Where a person is when the order comes (codes of `member_state`)."""

CHANNELS: tuple[str, ...] = ("none", "phone", "messaging", "sms", "door")
"""The channel on which a person acknowledged the order (codes of `member_channel`); "door":
a silent member chased at home after the phone attempts failed (not a scenario channel)."""

CHAIN_LEVELS: tuple[str, ...] = ("district", "subdistricts", "communities", "gridworkers", "members")
"""The command chain from top to bottom, as the scenario's `cascade.*` and `broadcast.*` name
its levels; cadres hang below the district through their units' chain."""

BROADCAST_CHANNELS: tuple[str, ...] = ("messaging", "sms")
"""Channels that reach many people at once (`broadcast.<level>.channels`); a phone reaches one."""

POOLS: tuple[str, ...] = ("community_staff", "emergency_team", "commando_team", "volunteer_team")
"""Reserve pools besides the cadres, each a `[pools.<name>]` table of the scenario (docs/model.md 7.14)."""

ACTIVATED_BY: tuple[str, ...] = ("none", "member", "grid_worker", "cadre", *POOLS)
"""Who put the first staff on post in a micro-grid (codes of `activated_by`); also the kind of
a reserve in `reserve_shifts`."""

POOL_LEVELS: tuple[str, ...] = ("community", "subdistrict", "district")
"""Where a pool is counted (`per`), waits (`home`) and may serve (`scope`), narrowest first."""

POOL_ALERTS: tuple[str, ...] = ("communities", "subdistricts", "district")
"""Cascade levels that may alert a pool (`alerted_by`), in POOL_LEVELS order."""

DISPATCH_POLICIES: tuple[str, ...] = ("paired-first", "sub-district-first", "nearest")
"""Values of `cadres.dispatch_policy` (docs/model.md 7.7)."""

CHASERS: tuple[str, ...] = ("grid_worker", "building_head")
"""Values of `chase.by`: who chases a silent member at the door (docs/model.md 7.12)."""

RELEASE_REASONS: tuple[str, ...] = ("horizon", "handover")
"""Why a shift ended (codes of `reserve_shifts.why`): still on post at the horizon, or relieved."""

TRACE_ENTITIES: tuple[str, ...] = (
    "district", "subdistrict", "community", "gridworker", "member", "unit", "cadre", "microgrid",
    *POOLS)
"""Kinds of entity in a trace (codes of the trace's `entity` field)."""

TRACE_EVENTS: tuple[str, ...] = (
    "notified", "acknowledged", "reported", "dispatched", "arrived", "gap", "activated",
    "stood_down")
"""Kinds of event in a trace (codes of the trace's `event` field)."""

COMPOUND_TYPES: tuple[str, ...] = (
    "commercial_housing",
    "work_unit_compound",
    "old_compound",
    "affordable_housing",
    "self_built_resettlement",
    "demolition_resettlement",
    "rural_settlement",
)
"""The seven compound types of the brief (section 1), in a fixed order: codes are indexes."""

MEMBER_ROLES: tuple[str, ...] = (
    "party_member",
    "building_head",
    "unit_head",
    "owners_committee",
    "legal_worker",
    "retired_teacher",
    "social_worker",
)
"""Who the part-time micro-grid members are (brief section 1)."""

SUBDISTRICT_KINDS: tuple[str, ...] = ("street", "town")
"""Kinds of sub-district: an urban street (街道) or a town (镇)."""

COMMUNITY_KINDS: tuple[str, ...] = ("urban", "village")
"""Kinds of community: an urban community (社区) or a village (村)."""

TASKS: tuple[str, ...] = ("verification", "publicity", "supply", "testing", "checkpoints")
"""The wartime tasks (mobsim.model.tasks): personnel verification, policy publicity, supply
delivery, nucleic-acid testing, order maintenance and QR-code checking at checkpoints."""

DEFINITIONS: tuple[str, ...] = ("posts", "communities", "subdistricts")
"""What the target's share (`target.share`) is counted over (`target.definition`): the
district's posts, every community's own, every sub-district's own (docs/model.md section 13)."""

COMMUNITY_TASKS: tuple[str, ...] = ("testing", "checkpoints")
"""Tasks staffed at community level from the people beyond the posts (`tasks.priority`)."""
