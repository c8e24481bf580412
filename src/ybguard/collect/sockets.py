"""Open Internet-family sockets of the live host, with the process that owns them.

psutil reads /proc/net/{tcp,tcp6,udp,udp6} of the scanner's network namespace and maps
socket inodes to processes. Listening sockets and unconnected UDP are not connections;
the scanner's own sockets are left out so a scan never reports itself.
"""

from __future__ import annotations

import ipaddress
import socket as _socket
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..facts.network import Socket
from .interface import CollectContext, Collector

# Sockets that are open or opening in a process; TIME_WAIT/LAST_ACK/CLOSE belong to no process.
OPEN_TCP_STATES = frozenset({"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT",
                             "CLOSING"})


def _plain(addr: str) -> str:
    """``::ffff:10.0.0.1`` -> ``10.0.0.1`` (a v4 peer on a dual-stack socket)."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return addr
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def sockets_from_psutil(conns: Iterable[Any], own_pid: int,
                        procs: Optional[Dict[int, Tuple[str, str, str]]] = None) -> Tuple[Socket, ...]:
    """psutil ``sconn`` tuples -> Socket records: connected only, loopback and our own pid left out."""
    procs = procs if procs is not None else {}
    out: List[Socket] = []
    for c in conns:
        if not c.raddr:
            continue  # listening or unconnected
        proto = "tcp" if c.type == _socket.SOCK_STREAM else "udp"
        status = str(c.status)
        if proto == "tcp" and status not in OPEN_TCP_STATES:
            continue
        if c.pid is not None and c.pid == own_pid:
            continue
        raddr = _plain(c.raddr.ip)
        try:
            if ipaddress.ip_address(raddr).is_loopback:
                continue
        except ValueError:
            pass
        name, user, exe = procs.get(c.pid, ("", "", "")) if c.pid is not None else ("", "", "")
        out.append(Socket(
            proto=proto, family=4 if c.family == _socket.AF_INET or "." in raddr else 6,
            laddr=_plain(c.laddr.ip) if c.laddr else "", lport=c.laddr.port if c.laddr else 0,
            raddr=raddr, rport=c.raddr.port, status="CONNECTED" if proto == "udp" else status,
            pid=c.pid, process=name, user=user, exe=exe,
        ))
    return tuple(out)


def collect_sockets_live(ctx: CollectContext) -> Tuple[Socket, ...]:
    target = ctx.target
    target.require_live()
    conns = target.connections()
    pids = [c.pid for c in conns if c.pid is not None and c.raddr]
    own = target.own_pid()
    return sockets_from_psutil(conns, own if own is not None else -1, target.process_owners(pids))


LINUX: Dict[str, Collector] = {
    "network.sockets": collect_sockets_live,
}
