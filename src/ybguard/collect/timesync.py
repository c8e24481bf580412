"""Time synchronisation: which daemon, which servers (saved configuration), live sync state,
and — only with ``--probe`` — an SNTP measurement of the clock offset.

A private date change shows up as a host that does not follow the 医保 platform's clock: no
daemon, a daemon pointed at public pools (also an Internet dependency), or a daemon that is
configured but not synchronised.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Dict, List, Optional, Tuple

from ..facts.accounts import NtpSample, TimeSync
from ..target.interface import Target, ToolMissing, Unsupported
from .interface import CollectContext, Collector
from .syntax.dropins import APPEND, fold, read_config, systemd_config_files
from .syntax.ini import Dialect, parse_ini

CHRONY_CONFS = ("/etc/chrony/chrony.conf", "/etc/chrony.conf")
NTP_CONFS = ("/etc/ntpsec/ntp.conf", "/etc/ntp.conf")
TIMESYNCD_CONF = "/etc/systemd/timesyncd.conf"
COMPILED_FALLBACK = "(systemd-timesyncd compiled-in FallbackNTP)"

# daemon -> (binaries, systemd units)
DAEMONS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "chrony": (("/usr/sbin/chronyd", "/sbin/chronyd"), ("chrony.service", "chronyd.service")),
    "systemd-timesyncd": (("/usr/lib/systemd/systemd-timesyncd", "/lib/systemd/systemd-timesyncd"),
                          ("systemd-timesyncd.service",)),
    "ntpd": (("/usr/sbin/ntpd", "/sbin/ntpd"), ("ntp.service", "ntpd.service", "ntpsec.service")),
}
UNIT_DIRS = ("/usr/lib/systemd/system", "/lib/systemd/system", "/etc/systemd/system")
NTP_EPOCH = 2208988800  # seconds from 1900-01-01 to 1970-01-01


# --- pure parsers ----------------------------------------------------------------------------

def parse_chrony_conf(text: str) -> Tuple[List[str], List[Tuple[str, str]]]:
    """chrony.conf(5) -> (servers from server/pool/peer, [(confdir|sourcedir|include, arg)])."""
    servers: List[str] = []
    includes: List[Tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!;%":
            continue
        words = line.split()
        if words[0] in ("server", "pool", "peer") and len(words) > 1:
            servers.append(words[1])
        elif words[0] in ("confdir", "sourcedir", "include") and len(words) > 1:
            includes.extend((words[0], w) for w in words[1:])
    return servers, includes


def parse_ntp_conf(text: str) -> List[str]:
    """ntp.conf(5): hosts of server/pool/peer lines."""
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if len(words) > 1 and words[0] in ("server", "pool", "peer"):
            out.append(words[1])
    return out


_TIMESYNCD_LISTS = {"NTP": APPEND, "FallbackNTP": APPEND}


def parse_timesyncd_conf(text: str, path: str = TIMESYNCD_CONF) -> Dict[str, Optional[List[str]]]:
    """timesyncd.conf(5) [Time] section of one file: {"NTP": [...] or None, "FallbackNTP": ...};
    an empty assignment resets the list (``[]``), a missing one stays ``None``."""
    lists = fold([parse_ini(path, text, Dialect.SYSTEMD)], "Time", _TIMESYNCD_LISTS)
    return {k: [v for v, _src in lists[k]] if k in lists else None for k in _TIMESYNCD_LISTS}


def parse_chronyc_tracking(text: str) -> Tuple[Optional[bool], str]:
    """``chronyc -n tracking`` -> (synchronised?, reference). Leap status decides."""
    fields: Dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    leap = fields.get("Leap status")
    if leap is None:
        return None, ""
    return leap != "Not synchronised", fields.get("Reference ID", "")


def parse_timedatectl_show(text: str) -> Optional[bool]:
    for line in text.splitlines():
        if line.startswith("NTPSynchronized="):
            return line.split("=", 1)[1].strip() == "yes"
    return None


# --- reading ----------------------------------------------------------------------------------

def _enabled(target: Target, units: Tuple[str, ...]) -> Optional[bool]:
    """True/False from systemd enable links; None when the unit is not a systemd unit here."""
    known = any(target.exists(f"{d}/{u}") for d in UNIT_DIRS for u in units)
    if not known:
        return None
    for wants in target.glob("/etc/systemd/system/*.wants"):
        if any(target.exists(f"{wants}/{u}") or _is_link(target, f"{wants}/{u}") for u in units):
            return True
    return False


def _is_link(target: Target, path: str) -> bool:
    try:
        import stat as st

        return st.S_ISLNK(target.lstat(path).st_mode)
    except OSError:
        return False


def _chrony_servers(target: Target, sources: List[Tuple[str, str]]) -> List[str]:
    servers: List[str] = []
    for conf in CHRONY_CONFS:
        text = target.read_text_optional(conf)
        if text is None:
            continue
        found, includes = parse_chrony_conf(text)
        servers += found
        sources.append((conf, "servers: " + (" ".join(found) or "(none)")))
        for kind, arg in includes:
            if kind == "include":
                paths = target.glob(arg)
            else:
                suffix = ".conf" if kind == "confdir" else ".sources"
                paths = [f"{arg}/{n}" for n in target.listdir(arg) if n.endswith(suffix)]
            for path in paths:
                more, _ = parse_chrony_conf(target.read_text(path))
                servers += more
                if more:
                    sources.append((path, "servers: " + " ".join(more)))
        break
    return servers


def _timesyncd_servers(target: Target, sources: List[Tuple[str, str]]) -> List[str]:
    """timesyncd.conf, then its drop-ins (/etc masks /run masks /usr/lib by name, a /dev/null link
    masks): every NTP= / FallbackNTP= *appends*, an empty one flushes — as systemd-timesyncd folds them."""
    inis = []
    for path in systemd_config_files(target, "timesyncd.conf"):
        text = read_config(target, path)
        if text:
            inis.append(parse_ini(path, text, Dialect.SYSTEMD))
    lists = fold(inis, "Time", _TIMESYNCD_LISTS)
    for key in _TIMESYNCD_LISTS:
        for src in dict.fromkeys(src for _v, src in lists.get(key, [])):
            sources.append((src, f"{key}=" + " ".join(v for v, s in lists[key] if s == src)))
    ntp = [v for v, _src in lists.get("NTP", [])]
    if ntp:
        return ntp
    if "FallbackNTP" not in lists:
        return [COMPILED_FALLBACK]
    return [v for v, _src in lists["FallbackNTP"]]


def _ntpd_servers(target: Target, sources: List[Tuple[str, str]]) -> List[str]:
    for conf in NTP_CONFS:
        text = target.read_text_optional(conf)
        if text is not None:
            found = parse_ntp_conf(text)
            sources.append((conf, "servers: " + (" ".join(found) or "(none)")))
            return found
    return []


SERVER_READERS = {"chrony": _chrony_servers, "systemd-timesyncd": _timesyncd_servers, "ntpd": _ntpd_servers}


def _live_state(target: Target, daemon: str, sources: List[Tuple[str, str]]) -> Optional[bool]:
    answers: List[bool] = []
    if daemon == "chrony":
        try:
            synced, ref = parse_chronyc_tracking(target.run(["chronyc", "-n", "tracking"], timeout=5))
            sources.append(("chronyc -n tracking", f"synchronised={synced} reference={ref}"))
            if synced is not None:
                answers.append(synced)
        except (ToolMissing, RuntimeError, OSError) as exc:
            sources.append(("chronyc -n tracking", f"no answer: {exc}"))
    if daemon == "systemd-timesyncd":
        flag = target.exists("/run/systemd/timesync/synchronized")
        sources.append(("/run/systemd/timesync/synchronized", "present" if flag else "absent"))
        if flag:
            answers.append(True)
    try:
        state = parse_timedatectl_show(target.run(["timedatectl", "show"], timeout=5))
        sources.append(("timedatectl show", f"NTPSynchronized={state}"))
        if state is not None:
            answers.append(state)
    except (ToolMissing, RuntimeError, OSError) as exc:
        sources.append(("timedatectl show", f"no answer: {exc}"))
    if any(answers):
        return True
    if answers:
        return False
    return False if not daemon else None


def collect_time_sync(ctx: CollectContext) -> TimeSync:
    target = ctx.target
    sources: List[Tuple[str, str]] = []
    daemon = ""
    servers: List[str] = []
    owners: List[Tuple[str, str]] = []
    for name, (binaries, units) in DAEMONS.items():
        if not any(target.exists(b) for b in binaries):
            continue
        enabled = _enabled(target, units)
        sources.append((name, "installed, " + {True: "enabled", False: "not enabled", None: "no systemd unit"}[enabled]))
        if enabled is False:
            continue
        # Every enabled daemon counts: whichever starts first sets the clock from its own servers.
        daemon = daemon or name
        found = SERVER_READERS[name](target, sources)
        servers += found
        owners += [(s, name) for s in found]
    if not daemon:
        sources.append(("time sync", "no enabled chrony, systemd-timesyncd or ntpd"))
    synchronized: Optional[bool] = None
    if target.is_live:
        synchronized = _live_state(target, daemon, sources)
    return TimeSync(daemon=daemon, servers=tuple(dict.fromkeys(servers)), synchronized=synchronized,
                    sources=tuple(sources), live=target.is_live, server_daemons=tuple(dict.fromkeys(owners)))


# --- SNTP probe (--probe only) ----------------------------------------------------------------

def split_server(server: str) -> Tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port`` -> (host, port); port defaults to 123."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else 123
    if server.count(":") == 1:
        host, _, port = server.partition(":")
        return host, int(port)
    return server, 123


def sntp_offset(server: str, timeout: float) -> NtpSample:
    """One SNTP (RFC 4330) client exchange; offset = ((t2 - t1) + (t3 - t4)) / 2."""
    host, port = split_server(server)
    try:
        family, _, _, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    except (OSError, UnicodeError) as exc:
        return NtpSample(server, None, f"resolve: {exc}")
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        t1 = time.time()
        secs = int(t1) + NTP_EPOCH
        frac = int((t1 % 1) * 2**32)
        packet = struct.pack("!B39xII", 0x23, secs, frac)  # LI 0, VN 4, mode 3 (client)
        try:
            sock.sendto(packet, addr)
            data, _ = sock.recvfrom(512)
        except OSError as exc:
            return NtpSample(server, None, f"{type(exc).__name__}: {exc}", str(addr[0]))
        t4 = time.time()
    if len(data) < 48 or data[0] & 0x07 not in (4, 5):
        return NtpSample(server, None, "not an NTP server reply", str(addr[0]))
    stratum = data[1]
    orig = struct.unpack("!II", data[24:32])
    if stratum == 0 or orig != (secs, frac):
        return NtpSample(server, None, f"unusable reply (stratum {stratum})", str(addr[0]))

    def ts(offset: int) -> float:
        s, f = struct.unpack("!II", data[offset:offset + 8])
        return float(s - NTP_EPOCH + f / 2**32)

    t2, t3 = ts(32), ts(40)
    return NtpSample(server, ((t2 - t1) + (t3 - t4)) / 2, "", str(addr[0]))


def probe_enabled(ctx: CollectContext) -> bool:
    if ctx.options.probe is not None:
        return ctx.options.probe
    return ctx.policy.network.probe.enabled


def collect_time_probe(ctx: CollectContext) -> Tuple[NtpSample, ...]:
    if not probe_enabled(ctx):
        raise Unsupported("reason.probe_off")
    ctx.target.require_here()
    timeout = ctx.policy.network.probe.timeout_seconds
    return tuple(sntp_offset(s, timeout) for s in ctx.policy.time.ntp_servers)


LINUX: Dict[str, Collector] = {
    "time.sync": collect_time_sync,
    "time.probe": collect_time_probe,
}
