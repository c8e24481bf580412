"""Networks a Linux host remembers having joined: NetworkManager's timestamps of its Wi-Fi and
mobile-broadband profiles (the Linux twin of Windows' NetworkList profiles).

NetworkManager writes ``/var/lib/NetworkManager/timestamps`` (``[timestamps]`` then
``<profile uuid>=<unix seconds>``) each time a profile connects. A wireless or mobile profile
with a timestamp has really been used, not just saved: evidence for ``network.wireless-history``.
Files only, so the same collector serves the live host and an offline image.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Dict, List, Mapping, Tuple

from ..facts.network import KIND_CELLULAR, KIND_WIRELESS, NetworkHistory
from ..target.interface import Target, Unsupported
from .interface import CollectContext
from .netconfig import KeyFile, _checked, nm_keyfile_wanted, parse_keyfile

TIMESTAMPS = "/var/lib/NetworkManager/timestamps"
PROFILE_DIRS = (("/etc/NetworkManager/system-connections", False),
                ("/run/NetworkManager/system-connections", True),
                ("/usr/lib/NetworkManager/system-connections", True))
_KINDS = {"wifi": KIND_WIRELESS, "802-11-wireless": KIND_WIRELESS, "gsm": KIND_CELLULAR, "cdma": KIND_CELLULAR}


def parse_nm_timestamps(text: str) -> Dict[str, int]:
    """``[timestamps]`` uuid=seconds -> {uuid: seconds}; entries that are not numbers are skipped."""
    out: Dict[str, int] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section == "timestamps" and "=" in line:
            uuid, _, value = line.partition("=")
            if value.strip().isdigit():
                out[uuid.strip()] = int(value.strip())
    return out


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


def read_history(target: Target) -> Tuple[NetworkHistory, ...]:
    text = target.read_text_optional(TIMESTAMPS)
    if text is None:
        # Nothing on this host records which networks it joined: say so, never "none joined".
        raise Unsupported("network.history.none_kept", path=TIMESTAMPS)
    stamps = parse_nm_timestamps(text)
    profiles: List[KeyFile] = []
    for directory, need_ext in PROFILE_DIRS:
        for name in target.listdir(directory):
            path = os.path.join(directory, name)
            if not nm_keyfile_wanted(name, need_ext) or target.is_dir(path):
                continue
            body = target.read_text_optional(path)
            if body is not None:
                profiles.append(_checked(parse_keyfile, path, body))
    return history_from_profiles(profiles, stamps, TIMESTAMPS)


def collect_history(ctx: CollectContext) -> Tuple[NetworkHistory, ...]:
    return read_history(ctx.target)


LINUX = {"network.history": collect_history}
