"""Networks a Linux host remembers having joined: NetworkManager's timestamps of its Wi-Fi and
mobile-broadband profiles (the Linux twin of Windows' NetworkList profiles).

NetworkManager writes ``/var/lib/NetworkManager/timestamps`` (``[timestamps]`` then
``<profile uuid>=<unix seconds>``) each time a profile connects. A wireless or mobile profile
with a timestamp has really been used, not just saved: evidence for ``network.wireless-history``.
Files only, so the same collector serves the live host and an offline image.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, List, Mapping, Tuple

from ..facts.network import InterfaceKind, NetworkHistory
from ..target.interface import Target, Unsupported
from .interface import CollectContext, FactError, PartialFact
from .netconfig.networkmanager import nm_profiles
from .syntax.errors import Rejected
from .syntax.ini import KeyFile, parse_keyfile

TIMESTAMPS = "/var/lib/NetworkManager/timestamps"
_KINDS = {
    "wifi": InterfaceKind.WIRELESS, "802-11-wireless": InterfaceKind.WIRELESS,
    "gsm": InterfaceKind.CELLULAR, "cdma": InterfaceKind.CELLULAR,
}


def parse_nm_timestamps(text: str) -> Dict[str, int]:
    """``[timestamps]`` uuid=seconds -> {uuid: seconds}; entries that are not numbers are skipped
    (NetworkManager reads the file with GKeyFile; one glib refuses is ``Rejected``)."""
    kf = parse_keyfile(TIMESTAMPS, text)
    return {uuid: int(value) for uuid, (value, _line) in kf.sections.get("timestamps", {}).items()
            if value.isdigit()}


def history_from_profiles(profiles: List[KeyFile], stamps: Mapping[str, int], stamps_source: str) -> Tuple[NetworkHistory, ...]:
    """Pure: the wireless/mobile profiles that NetworkManager recorded as connected."""
    out = []
    for kf in profiles:
        kind = _KINDS.get(kf.get("connection", "type"))
        uuid = kf.get("connection", "uuid")
        if kind is None or not uuid or uuid not in stamps or stamps[uuid] <= 0:
            continue
        name = kf.get("wifi", "ssid") or kf.get("802-11-wireless", "ssid") or kf.get("connection", "id") or uuid
        when = datetime.fromtimestamp(stamps[uuid], tz=timezone.utc).isoformat(timespec="seconds")
        out.append(NetworkHistory(
            name=name, kind=kind, last_seen=when, source=f"{stamps_source}; {kf.path}",
            detail=f"NetworkManager profile {kf.get('connection', 'id') or uuid} ({kf.get('connection', 'type')}), "
                   f"last connected {when}"))
    return tuple(sorted(out, key=lambda h: (h.name, h.last_seen)))


def with_logged(found: Tuple[NetworkHistory, ...], logged: Tuple[NetworkHistory, ...]) -> Tuple[NetworkHistory, ...]:
    """The profiles' records, plus the joins NetworkManager logged for networks whose profile (or
    timestamp) is gone: deleting the profile does not delete the log line."""
    names = {h.name for h in found}
    return tuple(sorted((*found, *(h for h in logged if h.name not in names)), key=lambda h: (h.name, h.last_seen)))


def read_history(target: Target) -> Tuple[NetworkHistory, ...]:
    from .nmlog import read_nm_log_history

    logged, log_files, gaps = read_nm_log_history(target)
    errors: List[FactError] = [FactError("history.reason.partial_log", source=path, detail=detail)
                               for path, detail in gaps]
    text = target.read_text_optional(TIMESTAMPS)
    if text is None:
        if not log_files:
            # Nothing on this host records which networks it joined: say so, never "none joined".
            raise Unsupported("network.history.none_kept", path=TIMESTAMPS)
        if errors:
            raise PartialFact(logged, errors)
        return logged
    try:
        stamps = parse_nm_timestamps(text)
    except Rejected as exc:
        raise FactError("netconfig.bad_file", path=exc.path, problem=exc.problem) from None
    profiles, refused = nm_profiles(target)
    found = with_logged(history_from_profiles(profiles, stamps, TIMESTAMPS), logged)
    errors += [FactError("netconfig.bad_file", path=r.path, problem=r.problem) for r in refused]
    if errors:
        raise PartialFact(found, errors)
    return found


def collect_history(ctx: CollectContext) -> Tuple[NetworkHistory, ...]:
    return read_history(ctx.target)


LINUX = {"network.history": collect_history}
