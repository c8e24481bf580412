"""Bounded helpers run inside test namespaces: servers on the fake Internet, a traffic sender.

Only addresses of namespaces the tests made; every helper exits on its own after ``--ttl``.
"""

from __future__ import annotations

import argparse
import http.server
import socket
import struct
import sys
import threading
import time


def dns_server(addr: str, answer: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 53))

    def loop() -> None:
        while True:
            data, peer = sock.recvfrom(512)
            qid = data[:2]
            end = data.index(b"\x00", 12) + 5
            question = data[12:end]
            reply = qid + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + question
            reply += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(answer)
            sock.sendto(reply, peer)

    threading.Thread(target=loop, daemon=True).start()


def tcp_server(addr: str, port: int) -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)

    def loop() -> None:
        while True:
            conn, _ = srv.accept()
            conn.close()

    threading.Thread(target=loop, daemon=True).start()


def http_server(addr: str, port: int, body: str) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def udp_sink(addr: str, port: int) -> None:
    sock = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    threading.Thread(target=lambda: [sock.recv(2048) for _ in iter(int, 1)], daemon=True).start()


def tun_device(name: str) -> None:
    """A VPN-client-like tun device held open (carrier up); whatever is routed into it is read and dropped."""
    import fcntl
    import os

    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), 0x0001 | 0x1000)  # IFF_TUN | IFF_NO_PI
    fcntl.ioctl(fd, 0x400454CA, ifr)  # TUNSETIFF
    threading.Thread(target=lambda: [os.read(fd, 65536) for _ in iter(int, 1)], daemon=True).start()


def send(spec: str) -> None:
    """proto:src:sport:dst:dport:count (commas for IPv6) — a few packets, socket kept open for process lookup."""
    proto, src, sport, dst, dport, count = spec.split("," if "," in spec else ":")
    family = socket.AF_INET6 if ":" in src else socket.AF_INET
    if proto == "udp":
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((src, int(sport)))
        for i in range(int(count)):
            s.sendto(b"ybguard-test-%d" % i, (dst, int(dport)))
    else:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind((src, int(sport)))
        s.settimeout(2)
        s.connect((dst, int(dport)))
        s.sendall(b"hello")
    KEEP.append(s)


KEEP: list = []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dns", nargs=2, metavar=("ADDR", "ANSWER"))
    ap.add_argument("--tcp", nargs=2, action="append", default=[], metavar=("ADDR", "PORT"))
    ap.add_argument("--http", nargs=3, metavar=("ADDR", "PORT", "BODY"))
    ap.add_argument("--udp-sink", nargs=2, action="append", default=[], metavar=("ADDR", "PORT"))
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("--tun")
    ap.add_argument("--ttl", type=float, default=30)
    args = ap.parse_args()
    if args.dns:
        dns_server(*args.dns)
    for addr, port in args.tcp:
        tcp_server(addr, int(port))
    if args.http:
        http_server(args.http[0], int(args.http[1]), args.http[2])
    for addr, port in args.udp_sink:
        udp_sink(addr, int(port))
    if args.tun:
        tun_device(args.tun)
    for spec in args.send:
        send(spec)
    print("ready", flush=True)
    end = time.monotonic() + args.ttl
    while time.monotonic() < end:
        time.sleep(0.1)
        if sys.stdin.closed:
            break


if __name__ == "__main__":
    main()
