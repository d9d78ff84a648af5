"""The SimPy model of one replication of the wartime switch (see docs/model.md)."""

from mobsim.model.engine import simulate
from mobsim.model.result import TRACE_DTYPE, ReplicationResult

__all__ = ["TRACE_DTYPE", "ReplicationResult", "simulate"]
