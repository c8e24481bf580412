"""The watch's event queue is bounded, and what did not fit is counted and reported (no namespace needed).

The rtnetlink datagram is packed as the kernel lays it out (include/uapi/linux/netlink.h,
rtnetlink.h): nlmsghdr, rtmsg, RTA_TABLE, RTA_GATEWAY, RTA_OIF — the same bytes
``ip route add default via GW dev lo`` makes the kernel multicast.
"""

from __future__ import annotations

import io
import json
import socket
import struct

from ybguard import watch
from ybguard.collect import kevents
from ybguard.policy import builtin_policy_path, load_policy_file
from ybguard.target import open_target


def _attr(kind: int, value: bytes) -> bytes:
    return struct.pack("=HH", 4 + len(value), kind) + value + b"\0" * (-len(value) % 4)


def new_default_route(gateway: str, ifindex: int = 1) -> bytes:
    rtmsg = struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 254, 4, 0, 1, 0)
    body = rtmsg + _attr(kevents.RTA_TABLE, struct.pack("=I", 254)) + \
        _attr(kevents.RTA_GATEWAY, socket.inet_aton(gateway)) + _attr(kevents.RTA_OIF, struct.pack("=i", ifindex))
    return struct.pack("=IHHII", 16 + len(body), kevents.RTM_NEWROUTE, 0, 0, 0) + body


def test_the_route_parser_names_what_ip_names():
    (route,) = kevents.routes_of_message(new_default_route("192.0.2.1")[16:], lambda i: {1: "lo"}[i])
    assert route.describe() == "default via 192.0.2.1 dev lo table main"
    assert (route.protocol, route.table_id, route.type) == ("static", 254, "unicast")


def test_a_full_queue_drops_counts_and_reports(monkeypatch):
    monkeypatch.setattr(watch, "MAX_QUEUED", 5)
    out = io.StringIO()
    w = watch.Watcher(load_policy_file(builtin_policy_path()), open_target(None), watch.watch_checks(),
                      watch.WatchOptions(capture=False, usb=False, processes=False), out, io.StringIO())
    a, b = socket.socketpair()
    try:
        w.sources[a.fileno()] = watch.Source("rtnetlink", a, w._on_rtnetlink)
        w._on_rtnetlink(b"".join(new_default_route(f"192.0.2.{i}") for i in range(1, 11)))
        w.judge_route_messages()
        w._report_drops()
        w._report_drops()  # reported once, not at every loop
    finally:
        w.close()
        b.close()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    public = [e["subject"] for e in events if e["event"] == "violation" and e["check"] == "network.public-route"]
    assert public == [f"default via 192.0.2.{i} dev lo table main" for i in range(1, 6)]
    (dropped,) = [e for e in events if e["event"] == "dropped"]
    assert (dropped["source"], dropped["received"], dropped["dropped"], dropped["kernel_overruns"]) == ("rtnetlink", 10, 5, 0)
    assert "5 dropped" in dropped["message"]
