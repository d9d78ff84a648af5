"""The SimPy model of one replication of the wartime switch (see docs/model.md)."""

from mobsim.model.engine import simulate
from mobsim.model.presence import PERIODS
from mobsim.model.result import (
    ACTIVATED_BY,
    CHANNELS,
    PRESENCE_STATES,
    TRACE_DTYPE,
    TRACE_ENTITIES,
    TRACE_EVENTS,
    ReplicationResult,
)

__all__ = ["ACTIVATED_BY", "CHANNELS", "PERIODS", "PRESENCE_STATES", "TRACE_DTYPE",
           "TRACE_ENTITIES", "TRACE_EVENTS", "ReplicationResult", "simulate"]
