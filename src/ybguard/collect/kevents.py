"""Kernel event sources of ``ybguard watch``: rtnetlink, kobject uevents, the process connector.

Each is a plain AF_NETLINK socket (no library): the kernel pushes a message the moment
something changes, so nothing polls.

- rtnetlink (NETLINK_ROUTE, multicast groups for links, addresses, routes, rules): a route
  message is turned into the same :class:`Route` the collectors build from ``ip -json
  route``, so the route checks judge the message itself — a default route held for 50 ms is
  still a default route.
- kobject uevents (NETLINK_KOBJECT_UEVENT, group 1: the kernel's own, before udev): a USB
  device, a SCSI disk or a block device arriving or leaving.
- the process connector (NETLINK_CONNECTOR, CN_IDX_PROC): every exec, comm change and exit.
  It exists only in the initial network namespace and needs CAP_NET_ADMIN.

The parsers are pure functions of the bytes the kernel sent (layouts from
``include/uapi/linux/netlink.h``, ``rtnetlink.h``, ``connector.h``, ``cn_proc.h``).
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from ..facts.network import Route

NETLINK_ROUTE = 0
NETLINK_CONNECTOR = 11
NETLINK_KOBJECT_UEVENT = 15
SO_RCVBUFFORCE = 33
RCVBUF = 8 << 20  # a burst of hundreds of route changes in a few ms must fit

# Legacy rtnetlink multicast group bits: link, IPv4/IPv6 addresses, routes and rules.
RTMGRP = 0x1 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | (1 << 18)
RTM_NEWLINK, RTM_DELLINK = 16, 17
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_MULTIPATH, RTA_TABLE, RTA_VIA = 1, 4, 5, 6, 9, 15, 18
IFLA_IFNAME = 3
RTM_F_CLONED = 0x200
ROUTE_TYPES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole",
               7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve"}
ROUTE_PROTOCOLS = {0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
                   10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
                   42: "babel", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"}
KERNEL_TABLES = {253: "default", 254: "main", 255: "local"}

CN_IDX_PROC = CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_EVENT_EXEC, PROC_EVENT_COMM, PROC_EVENT_EXIT = 0x2, 0x200, 0x80000000


def _bigger_buffer(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)  # root: past net.core.rmem_max
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)


def _netlink(kind: int, protocol: int, groups: int, subscribe: Optional[bytes] = None) -> socket.socket:
    """A non-blocking netlink socket bound to ``groups``; ``subscribe`` is sent once bound."""
    sock = socket.socket(socket.AF_NETLINK, kind, protocol)
    try:
        _bigger_buffer(sock)
        sock.bind((0, groups))
        if subscribe is not None:
            sock.send(subscribe)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def open_rtnetlink() -> socket.socket:
    return _netlink(socket.SOCK_RAW, NETLINK_ROUTE, RTMGRP)


def open_uevents() -> socket.socket:
    return _netlink(socket.SOCK_DGRAM, NETLINK_KOBJECT_UEVENT, 1)  # group 1: the kernel's (udev re-sends on 2)


def open_proc_connector() -> socket.socket:
    """Subscribe to process events; OSError outside the initial network namespace or without CAP_NET_ADMIN."""
    op = struct.pack("=I", PROC_CN_MCAST_LISTEN)
    cn = struct.pack("=IIIIHH", CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(op), 0) + op
    return _netlink(socket.SOCK_DGRAM, NETLINK_CONNECTOR, CN_IDX_PROC,
                    struct.pack("=IHHII", 16 + len(cn), NLMSG_DONE, 0, 0, 0) + cn)


# ---- netlink framing ------------------------------------------------------------------------

def netlink_messages(data: bytes) -> Iterator[Tuple[int, int, bytes]]:
    """(type, flags, payload) of each message in one datagram; a truncated tail is ignored."""
    offset = 0
    while offset + 16 <= len(data):
        length, mtype, flags, _seq, _pid = struct.unpack_from("=IHHII", data, offset)
        if length < 16 or offset + length > len(data):
            return
        yield mtype, flags, data[offset + 16:offset + length]
        offset += (length + 3) & ~3


def attributes(data: bytes, offset: int = 0) -> Dict[int, bytes]:
    """rtattr TLVs from ``offset`` on: type -> value (the last one of a type wins)."""
    out: Dict[int, bytes] = {}
    while offset + 4 <= len(data):
        length, atype = struct.unpack_from("=HH", data, offset)
        if length < 4 or offset + length > len(data):
            break
        out[atype & 0x3FFF] = data[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return out


def _address(family: int, raw: bytes) -> str:
    if family == socket.AF_INET and len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if family == socket.AF_INET6 and len(raw) == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return ""


def _via(raw: bytes) -> str:
    """RTA_VIA: a gateway of another family (an IPv4 route via an IPv6 neighbour)."""
    if len(raw) < 2:
        return ""
    (family,) = struct.unpack_from("=H", raw)
    return _address(family, raw[2:])


def link_name(payload: bytes) -> Optional[Tuple[int, str]]:
    """(ifindex, name) of an RTM_NEWLINK message."""
    if len(payload) < 16:
        return None
    _family, _pad, _type, index, _flags, _change = struct.unpack_from("=BBHiII", payload)
    name = attributes(payload, 16).get(IFLA_IFNAME, b"").split(b"\0", 1)[0]
    return (index, name.decode("utf-8", "replace")) if name else None


def routes_of_message(payload: bytes, ifname: Callable[[int], str],
                      table_names: Mapping[int, str] = KERNEL_TABLES) -> List[Route]:
    """The routes an RTM_NEWROUTE message adds, one per next hop, as ``ip -json route`` shows them.

    ``dev`` and ``table`` carry the names ``ip`` prints, so a finding made from the message has
    the same subject as one made from the table read afterwards.
    """
    if len(payload) < 12:
        return []
    family, dst_len, _src_len, _tos, table8, protocol, _scope, rtype, flags = struct.unpack_from("=BBBBBBBBI", payload)
    if family not in (socket.AF_INET, socket.AF_INET6) or flags & RTM_F_CLONED:
        return []
    attrs = attributes(payload, 12)
    table = struct.unpack("=I", attrs[RTA_TABLE])[0] if len(attrs.get(RTA_TABLE, b"")) == 4 else table8
    width = 32 if family == socket.AF_INET else 128
    dst_raw = attrs.get(RTA_DST, b"")
    address = _address(family, dst_raw) or ("0.0.0.0" if family == socket.AF_INET else "::")
    try:
        dst = ipaddress.ip_network(f"{address}/{min(dst_len, width)}", strict=False)
    except ValueError:
        return []
    metric = struct.unpack("=I", attrs[RTA_PRIORITY])[0] if len(attrs.get(RTA_PRIORITY, b"")) == 4 else None
    hops: List[Tuple[str, int]] = []
    if RTA_MULTIPATH in attrs:
        blob, offset = attrs[RTA_MULTIPATH], 0
        while offset + 8 <= len(blob):
            length, _hflags, _hops, index = struct.unpack_from("=HBBi", blob, offset)
            if length < 8 or offset + length > len(blob):
                break
            nested = attributes(blob[offset:offset + length], 8)
            gateway = _address(family, nested.get(RTA_GATEWAY, b"")) or _via(nested.get(RTA_VIA, b""))
            hops.append((gateway, index))
            offset += (length + 3) & ~3
    else:
        index = struct.unpack("=i", attrs[RTA_OIF])[0] if len(attrs.get(RTA_OIF, b"")) == 4 else 0
        hops.append((_address(family, attrs.get(RTA_GATEWAY, b"")) or _via(attrs.get(RTA_VIA, b"")), index))
    name = table_names.get(table, KERNEL_TABLES.get(table, str(table)))
    return [Route(dst=dst, type=ROUTE_TYPES.get(rtype, str(rtype)), gateway=gateway,
                  dev=ifname(index) if index else "", table=name, table_id=table,
                  protocol=ROUTE_PROTOCOLS.get(protocol, str(protocol)), metric=metric,
                  source="rtnetlink RTM_NEWROUTE (the kernel's announcement)") for gateway, index in hops]


# ---- uevents --------------------------------------------------------------------------------

def parse_uevent(data: bytes) -> Optional[Dict[str, str]]:
    """A kernel uevent ``ACTION@DEVPATH\\0KEY=VALUE\\0…`` as a dict; None for udev's own messages."""
    if data.startswith(b"libudev"):
        return None
    head, _, rest = data.partition(b"\0")
    if b"@" not in head:
        return None
    out: Dict[str, str] = {}
    for field in rest.split(b"\0"):
        key, sep, value = field.partition(b"=")
        if sep:
            out[key.decode("ascii", "replace")] = value.decode("utf-8", "replace")
    action, _, devpath = head.decode("utf-8", "replace").partition("@")
    out.setdefault("ACTION", action)
    out.setdefault("DEVPATH", devpath)
    return out


# ---- process connector ----------------------------------------------------------------------

@dataclass(frozen=True)
class ProcEvent:
    what: int  # PROC_EVENT_EXEC | PROC_EVENT_COMM | PROC_EVENT_EXIT | …
    pid: int  # the thread
    tgid: int  # the process


def parse_proc_events(data: bytes) -> List[ProcEvent]:
    """Events of one connector datagram: nlmsghdr, cn_msg (20 bytes), proc_event."""
    out: List[ProcEvent] = []
    for _mtype, _flags, payload in netlink_messages(data):
        if len(payload) < 20 + 24:
            continue
        idx, val = struct.unpack_from("=II", payload)
        if (idx, val) != (CN_IDX_PROC, CN_VAL_PROC):
            continue
        what, _cpu, _ts = struct.unpack_from("=IIQ", payload, 20)
        pid, tgid = struct.unpack_from("=II", payload, 36)
        out.append(ProcEvent(what, pid, tgid))
    return out


def ifname_resolver(cache: Dict[int, str]) -> Callable[[int], str]:
    """ifindex -> name in this namespace; a link gone meanwhile keeps the name last announced."""

    def resolve(index: int) -> str:
        try:
            name = socket.if_indextoname(index)
        except OSError:
            return cache.get(index, f"if{index}")
        cache[index] = name
        return name

    return resolve

