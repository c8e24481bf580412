"""Checks that only Windows can answer. Checks whose rule is the same on Linux keep their
Linux ids and live in the area modules; they read the same facts from the Windows collectors."""

from __future__ import annotations

from typing import Iterable, Tuple

from ..facts.network import KIND_CELLULAR, KIND_WIRELESS, NetworkHistory
from ..models import Evidence, Severity
from ..policy.schema import Policy
from . import rules
from .interface import Check, Facts, Result, fail, msg


def _wireless_history(facts: Facts, policy: Policy) -> Iterable[Result]:
    """A remembered Wi-Fi / mobile network is evidence the terminal left the leased line, even
    when no such adapter is connected today."""
    history: Tuple[NetworkHistory, ...] = facts["network.history"]
    for net in history:
        if net.kind not in (KIND_WIRELESS, KIND_CELLULAR):
            continue
        yield fail(net.name, msg(f"network.wireless-history.{net.kind}", name=net.name,
                                 first=net.first_seen or "?", last=net.last_seen or "?"),
                   Evidence(net.source, net.detail))


CHECKS: Tuple[Check, ...] = (
    Check("network.wireless-history", Severity.MEDIUM, rules.ISOLATION, ("network.history",), _wireless_history),
)
