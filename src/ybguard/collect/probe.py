"""The active probe: the only part of a scan that sends packets, and only when asked.

Each policy target (``tcp: host:port``, ``dns: name``, ``http: url``) is tried in its own
thread; the whole phase ends after ``timeout_seconds`` whatever happens. An answer from the
far side is proof of a path, so every success says which interface and source address the
kernel used and what answered. A probe that could not even be attempted (e.g. no resolver
configured) is an ``error`` outcome, never a quiet failure.
"""

from __future__ import annotations

import errno
import json
import os
import random
import socket
import struct
import threading
import time
from typing import Dict, List, Optional, Tuple

from ..facts.capture import NotRequested, ProbeOutcome, ProbeResult
from ..policy.schema import ProbeTarget
from ..target.interface import Target
from .interface import CollectContext

QUIET_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ETIMEDOUT, errno.ECONNREFUSED,
                errno.ECONNRESET, errno.EADDRNOTAVAIL, errno.ENETDOWN, errno.EHOSTDOWN, errno.EPERM,
                errno.EACCES}


def probe_requested(ctx: CollectContext) -> bool:
    if ctx.options.probe is not None:
        return bool(ctx.options.probe)
    return ctx.policy.network.probe.enabled


def collect_probe(ctx: CollectContext) -> object:
    ctx.target.require_here()
    if not probe_requested(ctx):
        return NotRequested("probe.not_requested")
    settings = ctx.policy.network.probe
    if not settings.targets:
        return NotRequested("probe.no_targets")
    return run_probes(ctx.target, settings.targets, settings.timeout_seconds)


def run_probes(target: Target, targets: Tuple[ProbeTarget, ...], timeout: float) -> ProbeResult:
    """Run every probe in parallel; whatever has not finished at the deadline timed out."""
    deadline = time.monotonic() + timeout
    results: Dict[int, ProbeOutcome] = {}
    resolvers = nameservers(target.read_text_optional("/etc/resolv.conf") or "")

    def work(i: int, t: ProbeTarget) -> None:
        t0 = time.monotonic()
        try:
            if t.kind == "tcp":
                out = probe_tcp(t, deadline)
            elif t.kind == "dns":
                out = probe_dns(t, resolvers, deadline)
            elif t.kind == "http":
                out = probe_http(t, deadline)
            else:
                out = ProbeOutcome(t.kind, t.value, False, error=f"unknown probe kind {t.kind!r}")
        except Exception as exc:  # noqa: BLE001 - a probe that crashed did not run: error
            out = ProbeOutcome(t.kind, t.value, False, error=f"{type(exc).__name__}: {exc}")
        if out.reached:
            dev, src = route_of(target, out.peer, out.source)
            out = _replace(out, interface=dev or out.interface, source=out.source or src)
        results[i] = _replace(out, elapsed_ms=int((time.monotonic() - t0) * 1000))

    threads = [threading.Thread(target=work, args=(i, t), daemon=True, name=f"probe-{i}")
               for i, t in enumerate(targets)]
    for th in threads:
        th.start()
    hard_end = deadline + 0.2  # a thread stuck past this (e.g. in getaddrinfo) is left behind, daemonic
    for th in threads:
        th.join(max(0.0, hard_end - time.monotonic()))
    outcomes = []
    for i, t in enumerate(targets):
        outcomes.append(results.get(i) or ProbeOutcome(t.kind, t.value, False,
                                                       detail=f"no answer within {timeout:g} s"))
    return ProbeResult(timeout, tuple(outcomes))


def _replace(o: ProbeOutcome, **kw: object) -> ProbeOutcome:
    from dataclasses import replace

    return replace(o, **kw)  # type: ignore[arg-type]


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("probe deadline reached")
    return left


def _quiet(t: ProbeTarget, exc: BaseException) -> ProbeOutcome:
    """Errors that mean "nothing answered the way a reachable service would"."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return ProbeOutcome(t.kind, t.value, False, detail="timed out")
    if isinstance(exc, socket.gaierror):
        return ProbeOutcome(t.kind, t.value, False, detail=f"name not resolved: {exc.strerror or exc}")
    if isinstance(exc, OSError) and exc.errno in QUIET_ERRNOS:
        return ProbeOutcome(t.kind, t.value, False, detail=os.strerror(exc.errno or 0))
    return ProbeOutcome(t.kind, t.value, False, error=f"{type(exc).__name__}: {exc}")


def _connect(host: str, port: int, deadline: float) -> socket.socket:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    last: Optional[BaseException] = None
    for family, kind, proto, _name, addr in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(_remaining(deadline))
        try:
            sock.connect(addr)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise last or OSError(errno.EHOSTUNREACH, "no address")


def _endpoint(addr: tuple) -> str:
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def probe_tcp(t: ProbeTarget, deadline: float) -> ProbeOutcome:
    try:
        sock = _connect(t.host, t.port, deadline)
    except Exception as exc:  # noqa: BLE001
        return _quiet(t, exc)
    with sock:
        peer, local = sock.getpeername(), sock.getsockname()
    return ProbeOutcome("tcp", t.value, True, answered_by=_endpoint(peer), peer=peer[0], source=local[0],
                        detail=f"TCP handshake completed with {_endpoint(peer)}")


def probe_http(t: ProbeTarget, deadline: float) -> ProbeOutcome:
    import http.client
    import ssl
    from urllib.parse import urlsplit

    url = urlsplit(t.value)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        sock = _connect(url.hostname or t.host, port, deadline)
    except Exception as exc:  # noqa: BLE001
        return _quiet(t, exc)
    peer, local = sock.getpeername(), sock.getsockname()
    conn: http.client.HTTPConnection
    if url.scheme == "https":
        # Reachability, not authenticity: an unverified TLS answer still proves a path.
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(url.hostname or t.host, port, timeout=_remaining(deadline), context=tls)
        try:
            sock.settimeout(_remaining(deadline))
            conn.sock = tls.wrap_socket(sock, server_hostname=url.hostname)
        except Exception as exc:  # noqa: BLE001
            sock.close()
            return _quiet(t, exc)
    else:
        conn = http.client.HTTPConnection(url.hostname or t.host, port, timeout=_remaining(deadline))
        conn.sock = sock
    try:
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        conn.sock.settimeout(_remaining(deadline))
        conn.request("GET", path, headers={"User-Agent": "ybguard-probe", "Connection": "close"})
        resp = conn.getresponse()
        body = resp.read(65536).decode("utf-8", "replace")
    except Exception as exc:  # noqa: BLE001
        return _quiet(t, exc)
    finally:
        conn.close()
    answered = f"HTTP {resp.status} {resp.reason} from {_endpoint(peer)}"
    if t.expect_status is not None and resp.status != t.expect_status:
        return ProbeOutcome("http", t.value, False, answered_by=_endpoint(peer), peer=peer[0], source=local[0],
                            detail=f"{answered}, expected status {t.expect_status}")
    if t.expect_body is not None and t.expect_body not in body:
        return ProbeOutcome("http", t.value, False, answered_by=_endpoint(peer), peer=peer[0], source=local[0],
                            detail=f"{answered}, expected body text not found")
    return ProbeOutcome("http", t.value, True, answered_by=_endpoint(peer), peer=peer[0], source=local[0], detail=answered)


# --- DNS ---------------------------------------------------------------------------------------

def nameservers(resolv_conf: str) -> List[str]:
    """Resolvers from resolv.conf; glibc asks 127.0.0.1 when none is configured."""
    out = []
    for line in resolv_conf.splitlines():
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            out.append(parts[1])  # keep a link-local scope ("fe80::1%eth0"): connect() needs it
    return out or ["127.0.0.1"]


def build_dns_query(name: str, qid: int, qtype: int = 1) -> bytes:
    """A standard recursive query for ``name`` (A by default)."""
    labels = b"".join(bytes([len(p)]) + p.encode("idna") for p in name.rstrip(".").split(".") if p)
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\x00" + struct.pack("!HH", qtype, 1)


def parse_dns_response(data: bytes, qid: int) -> Optional[Tuple[int, List[str]]]:
    """(rcode, addresses from A/AAAA answers) or None when ``data`` is not the answer to ``qid``."""
    import ipaddress

    if len(data) < 12:
        return None
    rid, flags, qd, an = struct.unpack_from("!HHHH", data, 0)
    if rid != qid or not flags & 0x8000:
        return None
    off = 12

    def skip_name(o: int) -> int:
        while o < len(data):
            n = data[o]
            if n == 0:
                return o + 1
            if n & 0xC0 == 0xC0:
                return o + 2
            o += n + 1
        raise ValueError("truncated name")

    addrs: List[str] = []
    try:
        for _ in range(qd):
            off = skip_name(off) + 4
        for _ in range(an):
            off = skip_name(off)
            rtype, _cls, _ttl, rdlen = struct.unpack_from("!HHIH", data, off)
            off += 10
            rdata = data[off:off + rdlen]
            off += rdlen
            if rtype == 1 and rdlen == 4 or rtype == 28 and rdlen == 16:
                addrs.append(str(ipaddress.ip_address(rdata)))
    except (ValueError, struct.error):
        pass
    return flags & 0x000F, addrs


RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def probe_dns(t: ProbeTarget, resolvers: List[str], deadline: float) -> ProbeOutcome:
    """Ask every configured resolver at once; a resolver that returns addresses is a path out."""
    socks = []
    qid = random.randrange(1, 0xFFFF)
    query = build_dns_query(t.host, qid)
    for ip in resolvers:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.connect((ip, 53))
            sock.send(query)
        except OSError as exc:
            sock.close()
            if exc.errno not in QUIET_ERRNOS:
                raise
            continue
        socks.append((ip, sock))
    notes = []
    try:
        import select

        pending = dict((s.fileno(), (ip, s)) for ip, s in socks)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(pending), [], [], left)
            for fd in ready:
                ip, s = pending[fd]
                try:
                    data = s.recv(4096)
                except OSError as exc:  # ICMP port unreachable etc.
                    notes.append(f"{ip}: {os.strerror(exc.errno or 0)}")
                    del pending[fd]
                    continue
                parsed = parse_dns_response(data, qid)
                if parsed is None:
                    continue
                del pending[fd]
                rcode, addrs = parsed
                if rcode == 0 and addrs:
                    return ProbeOutcome("dns", t.value, True, answered_by=f"resolver {ip}", peer=ip,
                                        source=s.getsockname()[0],
                                        detail=f"resolver {ip} answered {t.host} = {', '.join(addrs)}")
                notes.append(f"{ip}: {RCODES.get(rcode, rcode)}" + ("" if addrs else ", no address"))
    finally:
        for _ip, s in socks:
            s.close()
    tried = ", ".join(resolvers)
    return ProbeOutcome("dns", t.value, False,
                        detail=f"no resolver ({tried}) returned an address" + (f": {'; '.join(notes)}" if notes else ""))


# --- which way did it go ---------------------------------------------------------------------

def route_of(target: Target, dst: str, source: str) -> Tuple[str, str]:
    """(interface, source address) the kernel uses towards ``dst``; best effort, "" when unknown."""
    dev = pref = ""
    try:
        data = json.loads(target.run(["ip", "-json", "route", "get", dst] + (["from", source] if source else []),
                                     timeout=2) or "[]")
        if data:
            dev, pref = data[0].get("dev", ""), data[0].get("prefsrc", "")
    except Exception:  # noqa: BLE001 - we still have getsockname(); fall back to the address table
        pass
    if not dev and source:
        dev = _iface_of(source)
    return dev, pref


def _iface_of(addr: str) -> str:
    import psutil

    for name, addrs in psutil.net_if_addrs().items():
        if any(a.address.split("%", 1)[0] == addr for a in addrs):
            return name
    return ""
