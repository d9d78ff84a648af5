"""A drill log made by mobsim itself: one traced replication, cut at the drill window.

Used to test the fit (a log of known parameters), to validate it (the fitted model's drill
next to the real one: both sides then have exactly the drill log's form), and as the example
log a newcomer calibrates from (`mobsim generate --drill-log`, docs/calibration.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mobsim.codes import CHANNELS, PRESENCE_STATES, TRACE_ENTITIES, TRACE_EVENTS
from mobsim.district import District, load_district
from mobsim.model import simulate
from mobsim.model.presence import draw_available
from mobsim.model.result import ReplicationResult
from mobsim.model.turnout import prepare_min
from mobsim.random import Streams
from mobsim.scenario import Scenario
from mobsim.scenario.params import Parameters, Settings
from mobsim.studies.calibration.drill_log import COLUMNS, POST_TABLES, DrillLog
from mobsim.studies.calibration.fitted import write_fitted

_COMMAND_ROLES: tuple[str, ...] = ("subdistrict", "community", "gridworker")


def simulated_drill(district: District, scenario: Scenario, seed: int, replication: int,
                    window_min: float) -> DrillLog:
    """Simulate one traced replication and write it down as a drill log of `window_min`."""
    result = simulate(district, scenario, seed, replication, trace=True)
    rows = drill_rows(result, district, scenario, window_min,
                      _member_set_out_min(result, scenario, seed, replication))
    settings = Settings(scenario)
    return DrillLog("simulated", rows, settings.text("alert.weekday"), settings.text("alert.start"),
                    float(window_min))


def write_drill_log(scenario: Scenario, out: Path, seed: int = 1,
                    window_min: float | None = None) -> DrillLog:
    """Simulate the scenario's order once (replication 0 of `seed`) and write it as a CSV drill
    log to `out` (whole or not at all): a log to practise `mobsim calibrate` on, whose true
    parameters are the scenario's. The window defaults to the scenario's target."""
    window = Settings(scenario).target.minutes if window_min is None else window_min
    log = simulated_drill(load_district(scenario), scenario, seed, 0, window)
    write_fitted(log.rows.to_csv(index=False), out)
    return log


def _member_set_out_min(result: ReplicationResult, scenario: Scenario, seed: int,
                        replication: int) -> np.ndarray:
    """When each member who reports left for the post: acknowledgement plus preparation.

    The model does not trace setting out; its draws are a pure function of (seed, replication,
    quantity), so the same streams give each member's preparation and availability again.
    """
    params = Parameters(scenario, Streams(seed, replication))
    states = result.member_state
    reports = draw_available(params, "members", params.order_period(), states)
    prepare = prepare_min(params, "members", states)
    return np.where(reports, result.member_acknowledged_min + prepare, np.nan)


def drill_rows(result: ReplicationResult, district: District, scenario: Scenario,
               window_min: float, member_set_out_min: np.ndarray | None = None) -> pd.DataFrame:
    """The drill-log rows of a traced replication: steps at or after the window are empty.

    Setting out is logged for members when `member_set_out_min` is given, for nobody else.
    """
    parts = [_command_rows(result.trace, district, role) for role in _COMMAND_ROLES]
    members = district.members
    parts.append(_frame("member", members["member_id"], members["microgrid_id"],
                        np.array(PRESENCE_STATES)[result.member_state],
                        np.array(CHANNELS)[result.member_channel], result.member_notified_min,
                        result.member_acknowledged_min, result.member_arrived_min,
                        member_set_out_min))
    cadres = district.cadres
    parts.append(_frame("cadre", cadres["cadre_id"], cadres["community_id"], "", "",
                        _trace_times(result.trace, "cadre", "notified", cadres["cadre_id"]),
                        result.cadre_acknowledged_min, result.cadre_reported_min))
    rows = pd.concat(parts, ignore_index=True)
    rows["order_weekday"] = Settings(scenario).text("alert.weekday")
    rows["order_start"] = Settings(scenario).text("alert.start")
    rows["window_min"] = float(window_min)
    steps = ["notified_min", "acknowledged_min", "set_out_min", "arrived_min"]
    rows[steps] = rows[steps].where(rows[steps] < window_min)
    rows.loc[rows["acknowledged_min"].isna(), "channel"] = ""
    rows.loc[rows["channel"] == "none", "channel"] = ""
    return rows[list(COLUMNS)]


def _trace_times(trace: np.ndarray, entity: str, event: str, ids: np.ndarray) -> np.ndarray:
    """The first `event` minute of each id (NaN when the trace has none)."""
    pick = trace[(trace["entity"] == TRACE_ENTITIES.index(entity))
                 & (trace["event"] == TRACE_EVENTS.index(event))]
    out = np.full(len(ids), np.nan)
    # The trace is sorted by time: writing in reverse leaves each id's first time.
    where = np.searchsorted(ids, pick["entity_id"][::-1])
    out[where] = pick["time_min"][::-1]
    return out


def _command_rows(trace: np.ndarray, district: District, role: str) -> pd.DataFrame:
    table_name, person_key, _ = POST_TABLES[role]
    ids = district.table(table_name)[person_key]
    return _frame(role, ids, ids, "", "", _trace_times(trace, role, "notified", ids),
                  _trace_times(trace, role, "acknowledged", ids), np.full(len(ids), np.nan))


def _frame(role: str, person: np.ndarray, post: np.ndarray, state, channel,
           notified: np.ndarray, acknowledged: np.ndarray, arrived: np.ndarray,
           set_out: np.ndarray | None = None) -> pd.DataFrame:
    return pd.DataFrame({"role": role, "person_id": np.asarray(person, np.int64),
                         "post_id": np.asarray(post, np.int64), "state": state,
                         "channel": channel, "notified_min": notified,
                         "acknowledged_min": acknowledged,
                         "set_out_min": np.nan if set_out is None else set_out,
                         "arrived_min": arrived})
