"""Live traffic as evidence: watch every up, non-loopback interface for packets outside policy.

Configuration can lie; packets do not. A kernel BPF filter built from the policy drops allowed
traffic (both ends inside ``allowed_networks``) and link-local control traffic before it is
copied to us, so even a busy leased line costs almost no CPU here; the few packets that pass
are parsed by hand and folded into flows. When the filter cannot be compiled (no libpcap and no
tcpdump) we say so and filter in Python — slower, and the report says how many packets the
kernel dropped because we could not keep up.

scapy is imported only in ``compile_bpf`` (libpcap's compiler); nothing else here needs it.
"""

from __future__ import annotations

import collections
import ctypes
import errno
import ipaddress
import os
import select
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from ..facts.capture import CaptureResult, Flow, InterfaceCapture, NotRequested
from ..policy.schema import IPNetwork
from ..target.interface import Target
from ..toolpath import tool_env
from .interface import CollectContext, Collector, FactError

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_ATTACH_FILTER = 26
SO_RCVBUFFORCE = 33
PACKET_OUTGOING = 4
IFF_UP = 0x1
RCVBUF = 8 * 1024 * 1024
SNAPLEN = 256  # headers are all we parse; MSG_TRUNC still tells us the real length

ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772
# Link types whose packets start at the IP header on an AF_PACKET socket (tun, wireguard, PPP,
# ip tunnels, raw-IP cellular modems).
RAW_IP_ARPHRD = {65534: "none", 512: "ppp", 519: "rawip", 768: "tunnel", 769: "tunnel6", 776: "sit",
                 778: "ipgre", 823: "ip6gre"}
DLT = {"ethernet": 1, "raw": 12}  # DLT_EN10MB, DLT_RAW

LOOPBACK_NETS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
LL_MCAST = (ipaddress.ip_network("224.0.0.0/24"), ipaddress.ip_network("ff02::/16"))


# --- the filter ------------------------------------------------------------------------------

def build_bpf_filter(allowed_networks: Sequence[IPNetwork], linktype: str = "ethernet") -> str:
    """The tcpdump expression that passes exactly the packets outside policy.

    Everything passes except: both ends inside ``allowed_networks``; ARP; IEEE 802.1D reserved
    link-local frames (01:80:c2:00:00:0x — STP, LLDP, which no bridge forwards); DHCP and DHCPv6
    (client and server port on both ends); IPv6 router/neighbour discovery (ICMPv6 133-137);
    link-local multicast (224.0.0.0/24, ff02::/16); loopback-to-loopback. Unknown protocols
    pass on purpose: a frame we cannot classify is reported, never assumed harmless.
    """
    clauses: List[str] = []
    if linktype == "ethernet":
        clauses += ["arp", "(ether[0:4] = 0x0180c200 and ether[4:2] <= 0x000f)"]
    clauses += [
        "(udp and ((src port 68 and dst port 67) or (src port 67 and dst port 68)))",
        "(ip6 and udp and ((src port 546 and dst port 547) or (src port 547 and dst port 546)))",
        "(icmp6 and ip6[40] >= 133 and ip6[40] <= 137)",
        "(ip and dst net 224.0.0.0/24)",
        "(ip6 and dst net ff02::/16)",
        "(ip and src net 127.0.0.0/8 and dst net 127.0.0.0/8)",
        "(ip6 and src host ::1 and dst host ::1)",
    ]
    nets = [str(n) for n in allowed_networks]
    if nets:
        src = " or ".join(f"src net {n}" for n in nets)
        dst = " or ".join(f"dst net {n}" for n in nets)
        clauses.append(f"((ip or ip6) and ({src}) and ({dst}))")
    return "not (" + " or ".join(clauses) + ")"


def compile_bpf(expression: str, linktype: str) -> bytes:
    """Classic BPF bytecode (8 bytes per instruction) for ``expression``.

    libpcap through scapy first; ``tcpdump -ddd`` when libpcap cannot be loaded. Raises
    RuntimeError with the compiler's own words when neither works.
    """
    errors: List[str] = []
    try:
        import logging

        logging.getLogger("scapy").setLevel(logging.ERROR)  # no import-time chatter on our stderr
        from scapy.arch.common import compile_filter, free_filter

        prog = compile_filter(expression, linktype=DLT[linktype])
        try:
            return full_snaplen(ctypes.string_at(prog.bf_insns, prog.bf_len * 8))
        finally:
            free_filter(prog)
    except Exception as exc:  # noqa: BLE001 - fall through to tcpdump, keep the reason
        errors.append(f"libpcap: {exc}")
    try:
        proc = subprocess.run(["tcpdump", "-y", "EN10MB" if linktype == "ethernet" else "RAW", "-ddd", expression],
                              capture_output=True, timeout=10, check=False, env=tool_env())
        if proc.returncode == 0:
            return full_snaplen(parse_tcpdump_ddd(proc.stdout.decode()))
        errors.append(f"tcpdump: {proc.stderr.decode(errors='replace').strip()[:200]}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        errors.append(f"tcpdump: {exc}")
    raise RuntimeError("; ".join(errors))


def full_snaplen(bytecode: bytes) -> bytes:
    """Make every accepting ``ret #k`` keep the whole packet (k = 262144, as tcpdump does).

    scapy compiles with snaplen 1514, which would trim GSO packets in the socket queue and
    under-count bytes; the kernel only clones the skb, we copy just SNAPLEN bytes out anyway.
    """
    out = bytearray(bytecode)
    for off in range(0, len(out), 8):
        code, k = struct.unpack_from("=H", out, off)[0], struct.unpack_from("=I", out, off + 4)[0]
        if code == 0x06 and k != 0:  # BPF_RET | BPF_K
            struct.pack_into("=I", out, off + 4, 0x40000)
    return bytes(out)


def parse_tcpdump_ddd(text: str) -> bytes:
    """``tcpdump -ddd`` output (count, then "code jt jf k" per line) -> packed sock_filter array."""
    lines = [ln.split() for ln in text.strip().splitlines()]
    count = int(lines[0][0])
    insns = lines[1:]
    if len(insns) != count:
        raise ValueError(f"tcpdump -ddd announced {count} instructions, printed {len(insns)}")
    return b"".join(struct.pack("=HBBI", int(c), int(jt), int(jf), int(k) & 0xFFFFFFFF) for c, jt, jf, k in insns)


def attach_filter(sock: socket.socket, bytecode: bytes) -> None:
    count = len(bytecode) // 8
    insns = ctypes.create_string_buffer(bytecode, len(bytecode))
    fprog = struct.pack("HL", count, ctypes.addressof(insns))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


# --- parsing the few packets that pass ---------------------------------------------------------

class Packet(NamedTuple):
    ethertype: int  # 0x0800, 0x86dd, 0x0806 … (for raw links: from the IP version)
    eth_dst: bytes  # b"" on raw links
    eth_src: bytes
    src: Optional[bytes]  # packed IP address, None for non-IP
    dst: Optional[bytes]
    proto: int  # upper-layer protocol after IPv6 extension headers (-1 non-IP)
    first_proto: int  # the protocol/next-header field of the IP header itself
    sport: Optional[int]
    dport: Optional[int]
    icmp_type: Optional[int]


_IPV6_EXT = {0, 43, 60, 51}  # hop-by-hop, routing, destination options, AH (fragment handled apart)


def parse_frame(data: bytes, linktype: str) -> Packet:
    """Headers of one frame, as far as they can be read. Never raises on short or odd input."""
    eth_dst = eth_src = b""
    off = 0
    if linktype == "ethernet":
        if len(data) < 14:
            return Packet(-1, b"", b"", None, None, -1, -1, None, None, None)
        eth_dst, eth_src = data[0:6], data[6:12]
        ethertype = struct.unpack_from("!H", data, 12)[0]
        off = 14  # a VLAN tag still in the data is not looked through, exactly like the BPF filter
    else:
        version = data[0] >> 4 if data else 0
        ethertype = {4: 0x0800, 6: 0x86DD}.get(version, -1)
    if ethertype == 0x0800 and len(data) >= off + 20:
        ihl = (data[off] & 0x0F) * 4
        proto = data[off + 9]
        frag = struct.unpack_from("!H", data, off + 6)[0] & 0x1FFF
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl if frag == 0 else -1
        return _l4(ethertype, eth_dst, eth_src, src, dst, proto, proto, data, l4)
    if ethertype == 0x86DD and len(data) >= off + 40:
        first = nxt = data[off + 6]
        src, dst = data[off + 8:off + 24], data[off + 24:off + 40]
        l4 = off + 40
        for _ in range(8):
            if nxt in _IPV6_EXT and len(data) >= l4 + 2:
                hdr_len = (data[l4 + 1] + 2) * 4 if nxt == 51 else (data[l4 + 1] + 1) * 8
                nxt, l4 = data[l4], l4 + hdr_len
            elif nxt == 44 and len(data) >= l4 + 8:  # fragment: ports only in the first one
                offset = struct.unpack_from("!H", data, l4 + 2)[0] >> 3
                nxt = data[l4]
                l4 = l4 + 8 if offset == 0 else -1
                break
            else:
                break
        return _l4(ethertype, eth_dst, eth_src, src, dst, nxt, first, data, l4)
    return Packet(ethertype, eth_dst, eth_src, None, None, -1, -1, None, None, None)


def _l4(ethertype: int, eth_dst: bytes, eth_src: bytes, src: bytes, dst: bytes, proto: int, first: int,
        data: bytes, l4: int) -> Packet:
    sport = dport = icmp_type = None
    if l4 >= 0:
        if proto in (6, 17, 132, 136) and len(data) >= l4 + 4:
            sport, dport = struct.unpack_from("!HH", data, l4)
        elif proto in (1, 58) and len(data) > l4:
            icmp_type = data[l4]
    return Packet(ethertype, eth_dst, eth_src, src, dst, proto, first, sport, dport, icmp_type)


class _NetSet:
    """Membership of packed addresses in a set of networks, without building ipaddress objects."""

    def __init__(self, nets: Iterable[IPNetwork]) -> None:
        self._by_len: Dict[int, List[Tuple[int, int]]] = {4: [], 16: []}
        for n in nets:
            size = 4 if n.version == 4 else 16
            self._by_len[size].append((int(n.network_address), int(n.netmask)))

    def __contains__(self, packed: bytes) -> bool:
        value = int.from_bytes(packed, "big")
        return any(value & mask == net for net, mask in self._by_len.get(len(packed), ()))


def make_classifier(allowed_networks: Sequence[IPNetwork], linktype: str) -> Callable[[Packet], bool]:
    """The Python twin of ``build_bpf_filter``: True when the packet is outside policy.

    Used when the kernel filter could not be compiled, and on every packet the kernel passed
    (a second opinion costs nothing for a handful of packets). Tests keep both in step.
    """
    allowed = _NetSet(allowed_networks)
    ll_mcast = _NetSet(LL_MCAST)
    loop4, loop6 = _NetSet(LOOPBACK_NETS[:1]), _NetSet(LOOPBACK_NETS[1:])

    def outside(p: Packet) -> bool:
        if linktype == "ethernet":
            if p.ethertype == 0x0806:
                return False
            if p.eth_dst[:4] == b"\x01\x80\xc2\x00" and p.eth_dst[4:6] <= b"\x00\x0f":
                return False
        if p.src is None or p.dst is None:
            return True
        v6 = p.ethertype == 0x86DD
        if p.first_proto == 17 and p.sport is not None and p.dport is not None:
            if {p.sport, p.dport} == {67, 68} and p.sport != p.dport:
                return False
            if v6 and {p.sport, p.dport} == {546, 547}:
                return False
        if v6 and p.first_proto == 58 and p.icmp_type is not None and 133 <= p.icmp_type <= 137:
            return False
        if p.dst in ll_mcast:
            return False
        if (p.src in loop4 and p.dst in loop4) or (p.src in loop6 and p.dst in loop6):
            return False
        return not (p.src in allowed and p.dst in allowed)

    return outside


_PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6", 132: "sctp", 136: "udplite"}


def _addr(packed: bytes) -> str:
    return str(ipaddress.ip_address(packed))


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw) if raw else "?"


# --- interfaces --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    name: str
    ifindex: int
    arphrd: int
    up: bool

    @property
    def linktype(self) -> Optional[str]:
        if self.arphrd == ARPHRD_ETHER:
            return "ethernet"
        if self.arphrd in RAW_IP_ARPHRD:
            return "raw"
        return None


def read_links(target: Target) -> List[Link]:
    """Every network interface the kernel knows, from sysfs."""
    out = []
    for name in target.listdir("/sys/class/net"):
        base = f"/sys/class/net/{name}"
        try:
            out.append(Link(name=name, ifindex=int(target.read_text(f"{base}/ifindex").strip()),
                            arphrd=int(target.read_text(f"{base}/type").strip()),
                            up=bool(int(target.read_text(f"{base}/flags").strip(), 16) & IFF_UP)))
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while we listed it (or not an interface directory): nothing to watch
    return out


# --- the capturer ------------------------------------------------------------------------------

class _Tap:
    """One AF_PACKET socket on one interface, with its filter and counters."""

    def __init__(self, link: Link, linktype: str, expression: str, bytecode: Optional[bytes], error: str) -> None:
        self.link = link
        self.linktype = linktype
        self.expression = expression
        self.compile_error = error
        # Protocol 0 receives nothing: the filter is attached before bind() starts delivery,
        # so not one unfiltered packet is queued.
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        try:
            if bytecode is not None:
                attach_filter(self.sock, bytecode)
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
            except OSError:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
            self.sock.bind((link.name, ETH_P_ALL))
            self.sock.setblocking(False)
        except BaseException:
            self.sock.close()
            raise
        self.kernel_filter = bytecode is not None
        self.passed = 0
        self.drops = 0
        self.outside = 0

    def read_stats(self) -> None:
        """PACKET_STATISTICS resets on read; we accumulate."""
        raw = self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        packets, drops = struct.unpack("II", raw)
        self.passed += packets
        self.drops += drops

    def record(self) -> InterfaceCapture:
        return InterfaceCapture(self.link.name, self.linktype, self.expression, self.kernel_filter,
                                self.compile_error, self.passed, self.drops, self.outside)


class Capturer:
    """Taps on every up, non-loopback interface, folding packets outside policy into flows.

    Used for one window by the scan and continuously by ``ybguard watch``; the flow table is
    capped at ``max_flows`` so memory stays bounded over days (extra flows are counted).
    """

    def __init__(self, allowed_networks: Sequence[IPNetwork], max_flows: int,
                 compiler: Callable[[str, str], bytes] = compile_bpf) -> None:
        self.allowed = tuple(allowed_networks)
        self.max_flows = max_flows
        self._compiler = compiler
        self._compiled: Dict[str, Tuple[str, Optional[bytes], str]] = {}
        self._classify = {lt: make_classifier(self.allowed, lt) for lt in DLT}
        self.taps: Dict[str, _Tap] = {}
        self.closed_taps: Deque[InterfaceCapture] = collections.deque(maxlen=256)  # bounded over days
        self.not_captured: Dict[str, str] = {}
        self.flows: Dict[tuple, list] = {}  # key -> [iface, proto, src, dst, sport, dport, pkts, bytes, first, last]
        self.new_keys: List[tuple] = []
        self.overflow_flows = 0
        self.overflow_packets = 0
        self._overflow_keys: set = set()
        self.process: Dict[tuple, str] = {}
        self._buf = bytearray(SNAPLEN)

    def _filter_for(self, linktype: str) -> Tuple[str, Optional[bytes], str]:
        if linktype not in self._compiled:
            expression = build_bpf_filter(self.allowed, linktype)
            try:
                self._compiled[linktype] = (expression, self._compiler(expression, linktype), "")
            except Exception as exc:  # noqa: BLE001 - recorded; we filter in Python instead
                self._compiled[linktype] = (expression, None, str(exc) or type(exc).__name__)
        return self._compiled[linktype]

    def sync(self, links: Iterable[Link]) -> None:
        """Open taps on up, non-loopback interfaces we do not watch yet; close taps on gone ones."""
        wanted = {}
        self.not_captured = {}
        for link in links:
            if not link.up or link.arphrd == ARPHRD_LOOPBACK:
                continue
            if link.linktype is None:
                self.not_captured[link.name] = f"link type {link.arphrd} is not supported"
                continue
            wanted[link.name] = link
        for name in list(self.taps):
            if name not in wanted or wanted[name].ifindex != self.taps[name].link.ifindex:
                tap = self.taps.pop(name)
                self._close_tap(tap)
        for name, link in wanted.items():
            if name in self.taps:
                continue
            linktype = link.linktype or "ethernet"
            expression, bytecode, err = self._filter_for(linktype)
            try:
                self.taps[name] = _Tap(link, linktype, expression, bytecode, err)
            except PermissionError:
                raise FactError("capture.no_privilege") from None
            except OSError as exc:
                if exc.errno in (1, 13):  # EPERM, EACCES
                    raise FactError("capture.no_privilege") from None
                if exc.errno == 19:  # ENODEV: it went away between sysfs and bind
                    continue
                raise

    def _close_tap(self, tap: _Tap) -> None:
        try:
            self.drain(tap, budget=1 << 20)  # what it queued before the interface went away still counts
            tap.read_stats()
        except OSError:
            pass
        self.closed_taps.append(tap.record())
        tap.sock.close()

    def poll(self, timeout: float) -> int:
        """Wait up to ``timeout`` for packets and fold them into flows; returns how many were read."""
        if not self.taps:
            time.sleep(max(0.0, timeout))
            return 0
        by_fd = {tap.sock.fileno(): tap for tap in self.taps.values()}
        ready, _, _ = select.select(list(by_fd), [], [], max(0.0, timeout))
        count = 0
        for fd in ready:
            count += self.drain(by_fd[fd])
        return count

    def drain(self, tap: _Tap, budget: int = 4096) -> int:
        """Read what is queued on one tap (at most ``budget`` packets) and fold it into flows."""
        buf = self._buf
        classify = self._classify[tap.linktype]
        n = 0
        while n < budget:
            try:
                length, _addr_info = tap.sock.recvfrom_into(buf, SNAPLEN, socket.MSG_TRUNC)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in (errno.ENETDOWN, errno.ENODEV, errno.ENXIO):
                    break  # the link went down; the kernel re-arms the socket when it comes back up
                raise
            n += 1
            pkt = parse_frame(bytes(buf[:min(length, SNAPLEN)]), tap.linktype)
            if not classify(pkt):
                continue
            tap.outside += 1
            self._account(tap.link.name, pkt, length)
        return n

    def _account(self, iface: str, pkt: Packet, length: int) -> None:
        now = time.time()
        if pkt.src is not None and pkt.dst is not None:
            proto = _PROTO_NAMES.get(pkt.proto, f"ip-proto-{pkt.proto}")
            a: tuple = (pkt.src, -1 if pkt.sport is None else pkt.sport)
            b: tuple = (pkt.dst, -1 if pkt.dport is None else pkt.dport)
        else:
            proto = f"ethertype-0x{pkt.ethertype:04x}" if pkt.ethertype >= 0 else "unknown"
            a, b = (pkt.eth_src, -1), (pkt.eth_dst, -1)
        key = (iface, proto) + ((a, b) if a <= b else (b, a))
        flow = self.flows.get(key)
        if flow is None:
            if len(self.flows) >= self.max_flows:
                if key not in self._overflow_keys and len(self._overflow_keys) < self.max_flows:
                    self._overflow_keys.add(key)
                    self.overflow_flows += 1
                self.overflow_packets += 1
                return
            if pkt.src is not None and pkt.dst is not None:
                src, dst = _addr(pkt.src), _addr(pkt.dst)
            else:
                src, dst = _mac(pkt.eth_src), _mac(pkt.eth_dst)
            flow = [iface, proto, src, dst, pkt.sport, pkt.dport, 0, 0, now, now]
            self.flows[key] = flow
            self.new_keys.append(key)
        flow[6] += 1
        flow[7] += length
        flow[9] = now

    def read_stats(self) -> None:
        for tap in self.taps.values():
            tap.read_stats()

    def attribute_processes(self, keys: Optional[Iterable[tuple]] = None) -> None:
        """Best effort: the process owning the local end of each flow, from the socket table now."""
        todo = [k for k in (keys if keys is not None else self.flows) if k in self.flows and k not in self.process]
        if not todo:
            return
        table = _socket_owners()
        for key in todo:
            iface, proto, src, dst, sport, dport = self.flows[key][:6]
            for addr, port in ((src, sport), (dst, dport)):
                owner = table.get((proto, addr, port)) or table.get((proto, "*", port))
                if owner and port is not None:
                    self.process[key] = owner
                    break

    def flow_record(self, key: tuple) -> Flow:
        iface, proto, src, dst, sport, dport, pkts, nbytes, first, last = self.flows[key]
        return Flow(iface, proto, src, dst, sport, dport, pkts, nbytes, first, last, self.process.get(key, ""))

    def expire(self, idle_seconds: float, now: Optional[float] = None) -> List[Flow]:
        """Drop flows silent for ``idle_seconds``; returns them (watch reports them as ended)."""
        now = time.time() if now is None else now
        gone = [k for k, f in self.flows.items() if now - f[9] >= idle_seconds]
        out = [self.flow_record(k) for k in gone]
        for k in gone:
            del self.flows[k]
            self.process.pop(k, None)
        self._overflow_keys.clear()
        return out

    def take_new(self) -> List[Flow]:
        keys, self.new_keys = [k for k in self.new_keys if k in self.flows], []
        self.attribute_processes(keys)
        return [self.flow_record(k) for k in keys]

    def interface_records(self) -> Tuple[InterfaceCapture, ...]:
        return tuple(self.closed_taps) + tuple(t.record() for t in self.taps.values())

    def result(self, seconds: float, started: float, ended: float) -> CaptureResult:
        return CaptureResult(
            seconds=seconds, started=started, ended=ended, interfaces=self.interface_records(),
            flows=tuple(self.flow_record(k) for k in self.flows), max_flows=self.max_flows,
            overflow_flows=self.overflow_flows, overflow_packets=self.overflow_packets,
            not_captured=tuple(sorted(self.not_captured.items())),
        )

    def close(self) -> None:
        for tap in self.taps.values():
            tap.sock.close()
        self.taps.clear()


def _socket_owners() -> Dict[tuple, str]:
    """(proto, local address, local port) -> "name (pid N)"; "*" for wildcard binds."""
    import psutil

    out: Dict[tuple, str] = {}
    try:
        conns = psutil.net_connections(kind="inet")
    except (psutil.Error, OSError):
        return out
    names: Dict[int, str] = {}
    for c in conns:
        if not c.laddr or c.pid is None:
            continue
        proto = "tcp" if c.type == socket.SOCK_STREAM else "udp"
        if c.pid not in names:
            try:
                names[c.pid] = f"{psutil.Process(c.pid).name()} (pid {c.pid})"
            except psutil.Error:
                names[c.pid] = f"pid {c.pid}"
        ip = c.laddr.ip.split("%", 1)[0]
        if ip.startswith("::ffff:"):
            ip = ip[7:]
        key_ip = "*" if ip in ("0.0.0.0", "::") else ip
        out.setdefault((proto, key_ip, c.laddr.port), names[c.pid])
    return out


# --- the collector -----------------------------------------------------------------------------

def capture_seconds(ctx: CollectContext) -> float:
    if ctx.options.capture_seconds is not None:
        return float(ctx.options.capture_seconds)
    return float(ctx.policy.network.capture.seconds)


def collect_capture(ctx: CollectContext) -> object:
    ctx.target.require_here()
    seconds = capture_seconds(ctx)
    if seconds <= 0:
        return NotRequested("capture.not_requested")
    if os.name != "posix" or not hasattr(socket, "AF_PACKET"):
        raise FactError("capture.no_af_packet")
    cap = Capturer(ctx.policy.network.allowed_networks, ctx.policy.network.capture.max_flows)
    try:
        cap.sync(read_links(ctx.target))
        started = time.time()
        deadline = time.monotonic() + seconds
        next_sync = time.monotonic() + 1.0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            cap.poll(min(remaining, 0.5))
            if time.monotonic() >= next_sync:  # a NIC plugged in during the window is watched too
                cap.sync(read_links(ctx.target))
                next_sync = time.monotonic() + 1.0
        for tap in list(cap.taps.values()):  # whatever is still queued arrived inside the window
            cap.drain(tap, budget=1 << 30)
        ended = time.time()
        cap.read_stats()
        cap.attribute_processes()
        return cap.result(seconds, started, ended)
    finally:
        cap.close()


def _collect_probe(ctx: CollectContext) -> object:
    from .probe import collect_probe

    return collect_probe(ctx)


LINUX: Dict[str, Collector] = {
    "network.capture": collect_capture,
    "network.probe": _collect_probe,
}
