"""A small SNTP server for tests, on a socket the test bound to loopback (never another address)."""

from __future__ import annotations

import socket
import struct
import threading
import time

NTP_EPOCH = 2208988800


def ntp_timestamp(t: float) -> bytes:
    return struct.pack("!II", int(t) + NTP_EPOCH, int((t % 1) * 2**32))


def sntp_serve(sock: socket.socket, skew: float, stop: threading.Event) -> None:
    """Answer every client request with a clock ``skew`` seconds off, until ``stop`` is set."""
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(512)
        except socket.timeout:
            continue
        now = time.time() + skew
        reply = (bytes([0x24, 2, 6, 0xEC]) + b"\0" * 8 + b"TEST" + ntp_timestamp(now) + data[40:48]
                 + ntp_timestamp(now) + ntp_timestamp(now))
        sock.sendto(reply, peer)
