"""Network-changing shell commands — ifupdown ``up``/``post-up`` lines, rc.local, the scripts
they call, ``ExecStart=`` of enabled systemd units: ``ip route``/``ip rule`` (with iproute2's
abbreviations), net-tools ``route``, iptables NAT, ``sysctl -w`` and writes to /proc/sys.

The shell around them is cut by ``syntax.shell``; a network command whose arguments cannot be
known statically (a variable set at run time, ``$(…)``, a loop) is a rejection of what that
file says, never a silent omission.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ...facts.network import ForwardingSetting, NatRule, Route, Rule
from ...target.interface import NotRegularFile, Target
from ..syntax.errors import Rejected, where
from ..syntax.iptables import nat_kind, option
from ..syntax.lines import logical_lines
from ..syntax.shell import UNRESOLVED, Command, simple_commands
from .model import (
    DEFAULT6,
    ConfigError,
    NetConfig,
    list_files,
    merge,
    parse_file,
    parse_network,
    parse_table,
    read_file,
    redact,
)


def matches(word: str, keyword: str) -> bool:
    """iproute2's ``matches()``: a non-empty prefix of the keyword selects it."""
    return bool(word) and keyword.startswith(word)


# ip(8)'s objects in the order ip.c tries them: the first one the word is a prefix of wins.
IP_OBJECTS = ("address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl", "link",
              "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "tap", "token", "tcpmetrics", "tcp_metrics",
              "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam",
              "stats", "help")
# iproute.c's verbs in order; the ones that install a route.
ROUTE_VERBS = ("add", "change", "replace", "prepend", "append", "test", "delete", "list", "show", "lst", "get",
               "flush", "save", "restore", "showdump")
ROUTE_ADDING = frozenset({"add", "change", "replace", "prepend", "append"})
RULE_VERBS = ("list", "lst", "show", "save", "restore", "add", "delete", "flush")


def _first_match(word: str, choices: Sequence[str]) -> str:
    if word == "chg":
        return "change"
    return next((c for c in choices if matches(word, c)), "")


def ip_object(word: str) -> str:
    return _first_match(word, IP_OBJECTS)


def rtntype(word: str) -> str:
    """rtnl_rtntype_a2n(): a route/rule type word ("" when it is not one)."""
    if word in ("local", "nat", "blackhole", "throw"):
        return word
    if word == "brd":
        return "broadcast"
    for t in ("broadcast", "anycast", "multicast", "prohibit", "unreachable", "xresolve", "unicast"):
        if matches(word, t):
            return t
    return ""


# --- ip rule -------------------------------------------------------------------------------------

# Selectors that take an argument, as iprule.c spells them ("dev" is iif's alias).
_RULE_SELECTORS = {"from": "from", "to": "to", "tos": "tos", "fwmark": "fwmark", "dev": "iif", "iif": "iif",
                   "oif": "oif", "uidrange": "uidrange", "ipproto": "ipproto", "sport": "sport", "dport": "dport",
                   "dscp": "dscp", "flowlabel": "flowlabel"}
_RULE_PREFIX_SELECTORS = (("dsfield", "tos"), ("realms", "realms"), ("tun_id", "tun_id"))


def ip_rule(words: Sequence[str], family: int, source: str) -> Rule:
    """``ip rule add`` arguments as iprule.c reads them: every selector and alias it accepts;
    a word it would not accept makes the rule match nothing we can name (never "from all")."""
    priority = 0
    action = "table"
    table, table_id = "main", 254
    sel: List[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prefixed = next((name for kw, name in _RULE_PREFIX_SELECTORS if matches(w, kw)), "")
        if w == "not":
            sel.append(w)
            i += 1
        elif w in ("from", "to") or w in _RULE_SELECTORS:
            sel += [_RULE_SELECTORS[w], nxt]
            if ":" in nxt and w in ("from", "to"):
                family = 6
            i += 2
        elif matches(w, "preference") or matches(w, "order") or matches(w, "priority"):
            if not nxt.isdigit():
                raise ConfigError(source, f"not a rule priority: {nxt!r}")
            priority = int(nxt)
            i += 2
        elif prefixed:
            sel += [prefixed, nxt]
            i += 2
        elif matches(w, "protocol"):
            i += 2  # who installed the rule: not a selector
        elif matches(w, "table") or w == "lookup":
            table, table_id = parse_table(nxt)
            i += 2
        elif matches(w, "suppress_prefixlength") or w == "sup_pl" or matches(w, "suppress_ifgroup") \
                or w == "sup_group":
            i += 2  # a modifier of the lookup: the table is still consulted
        elif w == "l3mdev":
            sel.append(w)
            i += 1
        elif matches(w, "nat") or matches(w, "map-to"):
            action = "nat"
            i += 2
        else:
            if w == "type" and nxt:
                i += 1
                w, nxt = nxt, words[i + 1] if i + 1 < len(words) else ""
            if matches(w, "goto"):
                action = "goto"
                i += 2
            elif matches(w, "nop"):
                action = "nop"
                i += 1
            elif rtntype(w) in ("blackhole", "unreachable", "prohibit"):
                action = rtntype(w)
                i += 1
            elif rtntype(w) == "unicast":
                i += 1
            else:
                sel += ["unknown", w]  # ip would refuse it: whatever this rule is, it is not a catch-all
                i += 1
    if not sel or sel[0] != "from":
        sel = ["from", "all"] + sel
    return Rule(priority=priority, action=action, table=table if action == "table" else "",
                table_id=table_id if action == "table" else None, selector=" ".join(sel), family=family,
                raw=source)


# --- ip route ------------------------------------------------------------------------------------

_ROUTE_ARG_KEYS = frozenset({"src", "from", "tos", "dsfield", "expires", "realms", "proto", "protocol", "scope",
                             "mtu", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd", "initcwnd",
                             "initrwnd", "ssthresh", "rto_min", "hoplimit", "features", "quickack", "congctl",
                             "pref", "encap", "nhid", "weight", "as", "fastopen_no_cookie", "ttl-propagate"})


def ip_route(args: Sequence[str], family: int, default_dev: str, source: str) -> Optional[Route]:
    """``ip route add`` arguments: ``[to] [TYPE] PREFIX`` and ``via``/``dev``/``table``/``metric``
    (prefixes as iproute.c matches them); the first ``nexthop`` of a multipath route."""
    rtype = "unicast"
    dst_text = ""
    opts: Dict[str, str] = {}
    i = 0
    while i < len(args):
        w = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else ""
        if w == "via":
            if nxt in ("inet", "inet6"):
                i += 1
                nxt = args[i + 1] if i + 1 < len(args) else ""
            opts.setdefault("via", nxt)
            i += 2
        elif w in ("dev", "oif"):
            opts.setdefault("dev", nxt)
            i += 2
        elif matches(w, "table") or w == "vrf":
            opts["table"] = nxt
            i += 2
        elif matches(w, "metric") or matches(w, "priority") or w == "preference":
            opts["metric"] = nxt
            i += 2
        elif w == "nexthop":
            i += 1
        elif w in _ROUTE_ARG_KEYS:
            i += 2
        elif w in ("onlink", "pervasive"):
            i += 1
        elif w == "to":
            i += 1
        elif not dst_text and rtntype(w) and not w[:1].isdigit():
            rtype = rtntype(w)
            i += 1
        elif not dst_text:
            dst_text = w
            i += 1
        else:
            i += 1
    if not dst_text:
        return None
    dst = parse_network(dst_text)
    if dst is None:
        return None
    gateway = opts.get("via", "")
    if dst_text in ("default", "all", "any") and (family == 6 or ":" in gateway):
        dst = DEFAULT6
    table, table_id = parse_table(opts.get("table", "main"))
    metric = opts.get("metric", "")
    return Route(dst=dst, type=rtype, gateway=gateway, dev=opts.get("dev", default_dev), table=table,
                 table_id=table_id, protocol="static", metric=int(metric) if metric.isdigit() else None,
                 source=source, configured=True)


def _net_tools_route(args: Sequence[str], default_dev: str, source: str) -> Optional[Route]:
    args = list(args)
    opts: Dict[str, str] = {}
    target = ""
    i = 0
    while i < len(args):
        w = args[i]
        if w in ("-net", "-host", "-A"):
            i += 1 if w != "-A" else 2
            continue
        if w in ("netmask", "gw", "dev", "metric") and i + 1 < len(args):
            opts[w] = args[i + 1]
            i += 2
            continue
        if not target:
            target = w
        elif w and "dev" not in opts:
            opts["dev"] = w
        i += 1
    if not target:
        return None
    dst = parse_network(target if "netmask" not in opts else f"{target}/{opts['netmask']}")
    if dst is None:
        return None
    metric = opts.get("metric")
    return Route(dst=dst, gateway=opts.get("gw", ""), dev=opts.get("dev", default_dev), protocol="static",
                 metric=int(metric) if metric and metric.isdigit() else None, source=source, configured=True)


_FORWARD_KEY = re.compile(r"^net\.ipv([46])\.(?:(ip_forward)|conf\.([^.]+(?:\.[^.]+)*?)\.forwarding)$")


def forwarding_key(key: str) -> Optional[Tuple[int, str]]:
    """(family, scope) for a forwarding sysctl in dot or slash form; None for any other key."""
    key = key.strip().lstrip("-")
    seps = [i for i in (key.find("."), key.find("/")) if i >= 0]
    if seps and key[min(seps)] == "/":
        key = key.replace(".", "\0").replace("/", ".").replace("\0", "/")  # sysctl.d(5): the first separator rules
    key = key.strip(".")
    m = _FORWARD_KEY.match(key)
    if not m:
        return None
    family = int(m.group(1))
    scope = "all" if m.group(2) else m.group(3).replace("/", ".")
    return family, scope



NETWORK_PROGRAMS = re.compile(r"(ip|route|ip6?tables(-legacy|-nft)?(-restore)?|nft|sysctl|brctl|ifconfig|echo|printf)")


def _ip_command(words: Sequence[str], default_dev: str, source: str) -> Tuple[List[Route], List[Rule]]:
    args = list(words[1:])
    family = 4
    while args and args[0].startswith("-"):
        opt = args.pop(0).lstrip("-")
        if opt == "6":
            family = 6
        elif opt in ("f", "family") and args:
            family = 6 if args.pop(0) == "inet6" else 4
        elif opt in ("n", "netns") and args:
            return [], []  # another network namespace: not this host's stack
        elif opt in ("b", "batch", "rc", "rcvbuf") and args:
            args.pop(0)
    if len(args) < 2:
        return [], []
    obj = ip_object(args[0])
    if obj == "route" and _first_match(args[1], ROUTE_VERBS) in ROUTE_ADDING:
        route = ip_route(args[2:], family, default_dev, source)
        return ([route] if route else []), []
    if obj == "rule" and _first_match(args[1], RULE_VERBS) == "add":
        return [], [ip_rule(args[2:], family, source)]
    return [], []


def _is_network_command(cmd: Command) -> bool:
    """Whether an unresolved command could add a route, rule, NAT rule or forwarding setting."""
    prog, words = cmd.program, [w for w in cmd.words[1:] if not w.startswith("-")]
    if prog in ("echo", "printf"):  # a write into /proc/sys (``> "$STATE"`` is any other file)
        target = re.search(r">\s*(\S+)", " ".join(cmd.words))
        return target is not None and target.group(1).strip("'\"").startswith("/proc/sys/")
    if prog == "ip":
        if len(words) < 2 or UNRESOLVED in words[0] + words[1]:
            return True
        return (ip_object(words[0]) == "route" and _first_match(words[1], ROUTE_VERBS) in ROUTE_ADDING) or \
            (ip_object(words[0]) == "rule" and _first_match(words[1], RULE_VERBS) == "add")
    if prog == "route":
        return "add" in words or any(UNRESOLVED in w for w in words[:1])
    if re.fullmatch(r"ip6?tables(-legacy|-nft)?", prog):
        table = option(cmd.words, ("-t", "--table"))
        return table == "nat" or UNRESOLVED in table or UNRESOLVED in option(cmd.words, ("-j", "--jump"))
    return bool(NETWORK_PROGRAMS.fullmatch(prog)) and prog not in ("brctl", "ifconfig")


def _could_change(cmd: Command) -> Tuple[str, ...]:
    """The NetConfig fields an unresolved network command could fill."""
    prog = cmd.program
    if prog == "ip" or prog == "route":
        return ("routes", "rules")
    if re.fullmatch(r"ip6?tables(-legacy|-nft)?(-restore)?|nft", prog):
        return ("nat",)
    if prog in ("sysctl", "echo", "printf"):
        return ("forwarding",)
    return ()


# A line can change what parse_commands reports only if it names a network program, assigns a
# variable, or runs another script (by path, ``.``/``source`` or a shell): a cheap test first.
_MAY_MATTER = re.compile(r"\b(ip|route|ip6?tables(-\w+)*|nft|sysctl|sh|bash|dash|source)\b|/proc/sys"
                         r"|(^|[;&|(`!{]|\b(then|do|else|if|elif|while|until|export|local|readonly|exec|sudo|nohup|env|command|timeout"
                         r"|nice))\s*([A-Za-z_]\w*=|\.?/)"
                         r"|^\s*\.\s")


def parse_commands(path: str, lines: Sequence[Tuple[int, str]], default_dev: str = "",
                   env: Optional[Dict[str, str]] = None) -> NetConfig:
    """Network-changing shell commands: ``ip route/rule add``, ``route add``, ``sysctl -w``,
    ``echo 1 > /proc/sys/…/forwarding``, ``iptables -t nat … -j MASQUERADE|SNAT|DNAT``, and the rule
    files and scripts they load (``rule_files``: ("iptables"|"nft"|"script", path))."""
    routes: List[Route] = []
    rules: List[Rule] = []
    nat: List[NatRule] = []
    fwd: List[ForwardingSetting] = []
    rule_files: List[Tuple[str, str]] = []
    rejected: List[Rejected] = []
    known: Dict[str, str] = dict(env or {})
    if default_dev:
        known.setdefault("IFACE", default_dev)
    for n, text in lines:
        if not _MAY_MATTER.search(text):
            continue  # no network program, no assignment, no script it could run: nothing to tokenize
        for cmd in simple_commands(text, known, first_line=n):
            source = where(path, cmd.line)
            words = list(cmd.words)
            prog = cmd.program
            if not cmd.resolved:
                if _is_network_command(cmd):
                    rejected.append(Rejected(source, f"a network command that cannot be followed statically: "
                                                     f"{redact(cmd.text)}", _could_change(cmd)))
                continue
            if prog == "ip":
                r, ru = _ip_command(words, default_dev, source)
                routes.extend(r)
                rules.extend(ru)
            elif prog == "route" and "add" in words:
                route = _net_tools_route(words[words.index("add") + 1:], default_dev, source)
                if route:
                    routes.append(route)
            elif re.fullmatch(r"ip6?tables(-legacy|-nft)?-restore", prog):
                target_file = words[words.index("<") + 1] if "<" in words[:-1] else \
                    next((w for w in words[1:] if not w.startswith("-")), "")
                if target_file.startswith("<"):
                    target_file = target_file[1:]
                if target_file.startswith("/"):
                    rule_files.append(("iptables", target_file))
            elif prog == "nft" and ("-f" in words or "--file" in words):
                target_file = option(words, ("-f", "--file"))
                if target_file.startswith("/"):
                    rule_files.append(("nft", target_file))
            elif re.fullmatch(r"ip6?tables(-legacy|-nft)?", prog):
                if option(words, ("-t", "--table")) == "nat":
                    kind = nat_kind(words)
                    if kind and any(w in words for w in ("-A", "-I", "--append", "--insert")):
                        chain = option(words, ("-A", "-I", "--append", "--insert"))
                        nat.append(NatRule(text=redact(cmd.text), table="nat", chain=chain, kind=kind,
                                           source=source))
            elif prog == "sysctl":
                for w in words[1:]:
                    if "=" in w:
                        key, _, value = w.partition("=")
                        fk = forwarding_key(key)
                        if fk:
                            fwd.append(ForwardingSetting(fk[0], fk[1], value.strip() not in ("0", ""), source))
            elif prog in ("echo", "printf"):
                m = re.search(r"^\S+\s+(?:-[ne]+\s+)?['\"]?(\d)['\"]?\s*>\s*/proc/sys/(\S+)", " ".join(words))
                if m:
                    fk = forwarding_key(m.group(2).replace("/", "."))
                    if fk:
                        fwd.append(ForwardingSetting(fk[0], fk[1], m.group(1) != "0", source))
            elif prog in (".", "source") and len(words) > 1 and words[1].startswith("/"):
                rule_files.append(("script", words[1]))
            elif prog in ("sh", "bash", "dash") and len(words) > 1 and words[1].startswith("/"):
                rule_files.append(("script", words[1]))
            elif words[0].startswith("/") and not words[0].startswith(("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/")):
                rule_files.append(("script", words[0]))  # a local script: followed if the image holds it
    return NetConfig(routes=tuple(routes), rules=tuple(rules), nat=tuple(nat), forwarding=tuple(fwd),
                     rule_files=tuple(rule_files), rejected=tuple(rejected))


def parse_script(path: str, text: str, env: Optional[Dict[str, str]] = None) -> NetConfig:
    """A whole shell script (rc.local, a script it calls); ``env``: what its caller sets."""
    return parse_commands(path, list(logical_lines(text)), env=env)


def read_rc_local(target: Target) -> NetConfig:
    text = read_file(target, "/etc/rc.local")
    if text is None:
        return NetConfig()
    return parse_file_commands(target, "/etc/rc.local", text)


MAX_SCRIPTS = 64


def parse_file_commands(target: Target, path: str, text: str) -> NetConfig:
    """A script and, transitively, the local scripts it runs (at most MAX_SCRIPTS, each once)."""
    return follow_scripts(target, parse_script(path, text), {path})


MAX_SCRIPT = 1024 * 1024


def script_text(target: Target, path: str) -> Optional[str]:
    """The text of a shell script the image holds at ``path``; None for anything else (absent, a
    directory, a device, a binary program: no ``#!``). A script too large to follow is Rejected."""
    try:
        with target.open_bytes(path) as fh:
            head = fh.read(MAX_SCRIPT + 1)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, NotRegularFile):
        return None
    if not head.startswith(b"#!") or b"\0" in head[:4096]:
        return None
    if len(head) > MAX_SCRIPT:
        raise Rejected(path, f"a script larger than {MAX_SCRIPT} bytes is not followed",
                       ("routes", "rules", "nat", "forwarding"))
    return head.decode("utf-8", errors="replace")


def follow_scripts(target: Target, conf: NetConfig, seen: Set[str],
                   first: Sequence[Tuple[str, Dict[str, str]]] = ()) -> NetConfig:
    """Read the scripts ``first`` names (each with what its caller sets) and those ``conf`` runs
    (``rule_files`` of kind "script") that the image holds, then the scripts those run — each
    once, at most MAX_SCRIPTS."""
    found = [conf]
    queue: List[Tuple[str, Optional[Dict[str, str]]]] = [*first, *((p, None) for k, p in conf.rule_files
                                                                     if k == "script")]
    while queue and len(seen) < MAX_SCRIPTS:
        path, env = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            body = script_text(target, path)
        except Rejected as exc:
            found.append(NetConfig(rejected=(exc,)))
            continue
        if body:
            sub = parse_script(path, body, dict(env) if env else None)
            found.append(sub)
            queue.extend((p, None) for k, p in sub.rule_files if k == "script")
    return merge(found)


# Hook directories whose scripts run for every interface that comes up, with what their caller
# tells them. An interface name is a placeholder: a route is judged by its prefix, not its device;
# an address the caller passes (a gateway, the peer) stays unknown, so a route using it is reported.
_IFUPDOWN_HOOK_ENV = {"IFACE": "<interface>", "LOGICAL": "<interface>", "ADDRFAM": "inet", "METHOD": "<method>",
                      "MODE": "start", "PHASE": "post-up", "VERBOSITY": "0"}
_NM_HOOK_ENV = {"1": "<interface>", "2": "up", "DEVICE_IFACE": "<interface>", "DEVICE_IP_IFACE": "<interface>",
                "CONNECTION_ID": "<connection>"}
_PPP_HOOK_ENV = {"1": "<ppp interface>", "PPP_IFACE": "<ppp interface>", "2": "<tty>", "PPP_TTY": "<tty>"}
HOOK_DIRS: Tuple[Tuple[str, Dict[str, str]], ...] = (
    ("/etc/network/if-pre-up.d", _IFUPDOWN_HOOK_ENV), ("/etc/network/if-up.d", _IFUPDOWN_HOOK_ENV),
    ("/etc/NetworkManager/dispatcher.d", _NM_HOOK_ENV), ("/etc/NetworkManager/dispatcher.d/pre-up.d", _NM_HOOK_ENV),
    ("/usr/lib/NetworkManager/dispatcher.d", _NM_HOOK_ENV),
    ("/etc/ppp/ip-up.d", _PPP_HOOK_ENV), ("/etc/ppp/ipv6-up.d", _PPP_HOOK_ENV),
)
_RUN_PARTS_NAME = re.compile(r"[A-Za-z0-9_-]+")


def read_hooks(target: Target) -> NetConfig:
    """Scripts of ifupdown's ``if-*.d`` (run-parts: names of letters, digits, ``_`` and ``-``),
    NetworkManager's ``dispatcher.d`` and ppp's ``ip-up.d``, and ``/etc/ppp/ip-up.local``."""
    listed = [(f"{d}/{n}", env) for d, env in HOOK_DIRS for n in target.listdir(d)
              if _RUN_PARTS_NAME.fullmatch(n) or (d.startswith("/etc/NetworkManager") and not n.startswith("."))]
    return follow_scripts(target, NetConfig(), set(), [*listed, ("/etc/ppp/ip-up.local", _PPP_HOOK_ENV)])


CRONTABS = ("/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*", "/var/spool/cron/*")
CRON_PARTS = ("/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly")
_CRON_SPECIAL = re.compile(r"@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)")


def parse_crontab(path: str, text: str, system: bool) -> NetConfig:
    """crontab(5): each job's command (after five time fields or an ``@`` keyword, and the user
    in /etc/crontab and /etc/cron.d); ``NAME=value`` lines set the jobs' environment."""
    env: Dict[str, str] = {}
    jobs: List[Tuple[int, str]] = []
    for n, line in logical_lines(text):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line)
        if m:
            env[m.group(1)] = m.group(2).strip("'\"")
            continue
        fields = line.split(None, 1 if _CRON_SPECIAL.match(line) else 5)
        if _CRON_SPECIAL.match(line) and len(fields) == 2:
            rest = fields[1]
        elif len(fields) == 6:
            rest = fields[5]
        else:
            continue
        if system:
            rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) == 2 else ""
        jobs.append((n, rest.split("%", 1)[0]))  # an unescaped % ends the command
    return parse_commands(path, jobs, env=env)


def read_cron(target: Target) -> NetConfig:
    """Cron jobs and the run-parts scripts of /etc/cron.*: a job that adds a route at @reboot (or
    every hour) changes the network as surely as rc.local."""
    configs: List[NetConfig] = []
    for pattern in CRONTABS:
        for path in (list_files(target, pattern) if "*" in pattern else [pattern]):
            text = read_file(target, path) if not target.is_dir(path) else None
            if text:
                configs.append(parse_file(path, parse_crontab, path, text, not path.startswith("/var/spool/"),
                                          affects=("routes", "rules", "nat", "forwarding")))
    scripts = [("script", f"{d}/{n}") for d in CRON_PARTS for n in target.listdir(d) if _RUN_PARTS_NAME.fullmatch(n)]
    return follow_scripts(target, merge([*configs, NetConfig(rule_files=tuple(scripts))]), set())
