"""Audit controls (GB/T 22239-2019 8.1.4.3): what is audited and whether the records are kept.

Windows: ``auditpol /get /category:* /r`` rows are matched by subcategory GUID; the inclusion
setting column is translated, so its text is mapped per display language and an unknown text is
an error, never a guess. The Security log's size and the EventLog service come from SYSTEM.
Linux: auditd enabled and its rules; journald persistent storage and rsyslog.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

from ..facts.djbh import AuditEvents, LogStorage
from ..target.interface import Target, Unsupported
from . import djbhbase as b
from .interface import CollectContext, Collector, FactError

# --- Windows -----------------------------------------------------------------------------------

AUDITPOL_COMMAND = ("auditpol", "/get", "/category:*", "/r")
# subcategory GUID -> (what it records, needs success, needs failure)
REQUIRED_SUBCATEGORIES: Dict[str, Tuple[str, bool, bool]] = {
    "{0CCE9215-69AE-11D9-BED3-505054503030}": ("Logon", True, True),
    "{0CCE9216-69AE-11D9-BED3-505054503030}": ("Logoff", True, False),
    "{0CCE9217-69AE-11D9-BED3-505054503030}": ("Account Lockout", False, True),
    "{0CCE923F-69AE-11D9-BED3-505054503030}": ("Credential Validation", True, True),
    "{0CCE9235-69AE-11D9-BED3-505054503030}": ("User Account Management", True, True),
    "{0CCE9237-69AE-11D9-BED3-505054503030}": ("Security Group Management", True, False),
    "{0CCE922F-69AE-11D9-BED3-505054503030}": ("Audit Policy Change", True, False),
    "{0CCE9212-69AE-11D9-BED3-505054503030}": ("System Integrity", True, True),
    "{0CCE9210-69AE-11D9-BED3-505054503030}": ("Security State Change", True, False),
}
# the inclusion-setting texts auditpol prints, per display language -> (success, failure)
INCLUSION = {
    "success": (True, False), "failure": (False, True), "success and failure": (True, True), "no auditing": (False, False),
    "成功": (True, False), "失败": (False, True), "成功和失败": (True, True), "无审核": (False, False),
    "成功和失敗": (True, True), "失敗": (False, True), "沒有稽核": (False, False), "成功及失敗": (True, True),
}
_GUID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")


def parse_auditpol_csv(text: str) -> Dict[str, Tuple[str, bool, bool]]:
    """GUID (upper case) -> (inclusion text, success, failure). The GUID column is found by shape
    (the header is translated too); a row whose setting text is not known raises ValueError."""
    import csv
    import io

    out: Dict[str, Tuple[str, bool, bool]] = {}
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        cells = [c.strip() for c in row]
        at = next((i for i, c in enumerate(cells) if _GUID.match(c)), None)
        if at is None or at + 1 >= len(cells):
            continue
        setting = cells[at + 1]
        flags = INCLUSION.get(setting.casefold())
        if flags is None:
            raise ValueError(f"unknown auditpol inclusion setting {setting!r}")
        out[cells[at].upper()] = (setting, *flags)
    if not out:
        raise ValueError("no subcategory rows in auditpol output")
    return out


def windows_events(ctx: CollectContext) -> AuditEvents:
    b.registry(ctx)
    try:  # a live host, or an evidence bundle that recorded the command
        text = ctx.target.run(list(AUDITPOL_COMMAND), timeout=30)
    except Unsupported:  # an image: the policy is in the SECURITY hive (Policy\PolAdtEv), not read (docs/djbh.md)
        raise Unsupported("djbh.auditpol_offline") from None
    try:
        rows = parse_auditpol_csv(text)
    except ValueError as exc:
        raise FactError("djbh.auditpol_unparsed", reason=str(exc)) from exc
    missing = []
    for guid, (what, success, failure) in REQUIRED_SUBCATEGORIES.items():
        got = rows.get(guid)
        if got is None:
            missing.append((what, "absent from auditpol output"))
            continue
        setting, has_s, has_f = got
        if (success and not has_s) or (failure and not has_f):
            want = " + ".join(x for x, need in (("success", success), ("failure", failure)) if need)
            missing.append((what, f"{setting} (needs {want}) {guid}"))
    return AuditEvents("Windows audit policy", True, tuple(missing),
                       (("auditpol /get /category:* /r", f"{len(rows)} subcategories read"),))


EVENTLOG_POLICY = "Policies\\Microsoft\\Windows\\EventLog\\Security"


def windows_storage(ctx: CollectContext) -> LogStorage:
    reg = b.registry(ctx)
    key = reg.system_key("Services\\EventLog\\Security")
    if key is None:
        raise FactError("windows.key_missing", path=f"{reg.system.label}\\{reg.control_set}\\Services\\EventLog\\Security")
    size = key.int_value("MaxSize")
    retention = key.int_value("Retention")
    sources = [(key.path, f"MaxSize={size}, Retention={retention}, AutoBackupLogFiles={key.int_value('AutoBackupLogFiles')}")]
    software = reg.software
    policy = software.key(EVENTLOG_POLICY) if software is not None else None
    if policy is not None:
        kb = policy.int_value("MaxSize")  # the policy says kilobytes
        if kb is not None:
            size = kb * 1024
        sources.append((policy.path, f"MaxSize={kb} KB, Retention={policy.str_value('Retention')}"))
    start, svc = b.service_start(reg, "EventLog")
    sources.append((svc, f"Start={start}"))
    mb = None if size is None else size // (1024 * 1024)
    running = start is not None and start != 4
    return LogStorage((("Security event log", running, f"EventLog Start={start}, MaxSize={mb} MB"),), mb,
                      tuple(sources))


# --- Linux -------------------------------------------------------------------------------------

AUDIT_RULES = ("/etc/audit/audit.rules",)
IDENTITY_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers")


def audit_rules(target: Target) -> List[Tuple[str, str]]:
    """(file:line, rule) of the -w / -a rules auditd loads (rules.d is what augenrules compiles)."""
    paths = list(AUDIT_RULES) + [f"/etc/audit/rules.d/{n}" for n in target.listdir("/etc/audit/rules.d")
                                 if n.endswith(".rules")]
    out = []
    for path in paths:
        for n, line in enumerate((target.read_text_optional(path) or "").splitlines(), 1):
            rule = line.split("#", 1)[0].strip()
            if rule.startswith(("-w ", "-a ", "-A ")) and "never" not in rule.split()[1]:
                out.append((f"{path}:{n}", rule))
    return out


def linux_events(ctx: CollectContext) -> AuditEvents:
    target = ctx.target
    units = b.units(ctx)
    enabled = b.unit_enabled(units, "auditd.service")
    running = b.running_names(ctx)
    sources = [(w, "enabled") for _u, w in enabled]
    if running is not None:
        sources.append(("processes", "auditd running" if "auditd" in running else "auditd not running"))
    on = bool(enabled) if running is None else "auditd" in running
    rules = audit_rules(target)
    sources.extend(rules[:20])
    missing = []
    if not on:
        missing.append(("auditd", "not enabled" if running is None else "not running"))
    if not any(f in rule for _w, rule in rules for f in IDENTITY_FILES):
        missing.append(("account changes", "no audit rule watches " + ", ".join(IDENTITY_FILES[:3])))
    if not target.exists("/sbin/auditd") and not target.exists("/usr/sbin/auditd"):
        missing = [("auditd", "not installed")]
    return AuditEvents("auditd", on, tuple(missing), tuple(sources))


def journald_storage(target: Target) -> Tuple[str, str]:
    """(Storage=, where) after journald.conf and its drop-ins (later files win)."""
    value, where = "auto", "default"
    paths = ["/etc/systemd/journald.conf"]
    for d in ("/usr/lib/systemd/journald.conf.d", "/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d"):
        paths += [f"{d}/{n}" for n in target.listdir(d) if n.endswith(".conf")]
    for path in paths:
        got = b.parse_ini(target.read_text_optional(path) or "").get("Journal", {}).get("Storage")
        if got:
            value, where = got.lower(), path
    return value, where


def linux_storage(ctx: CollectContext) -> LogStorage:
    target = ctx.target
    units = b.units(ctx)
    stores: List[Tuple[str, bool, str]] = []
    if target.exists("/lib/systemd/systemd-journald") or target.exists("/usr/lib/systemd/systemd-journald"):
        storage, where = journald_storage(target)
        has_dir = target.is_dir("/var/log/journal")
        persistent = storage == "persistent" or (storage == "auto" and has_dir)
        stores.append(("journald", persistent, f"Storage={storage} ({where}); /var/log/journal "
                                                f"{'exists' if has_dir else 'absent'}"))
    for unit, label in (("rsyslog.service", "rsyslog"), ("syslog-ng.service", "syslog-ng")):
        on = b.unit_enabled(units, unit)
        if on or target.exists(f"/etc/{label}.conf"):
            stores.append((label, bool(on), on[0][1] if on else f"/etc/{label}.conf present, service not enabled"))
    conf = b.parse_ini("[x]\n" + (target.read_text_optional("/etc/audit/auditd.conf") or "")).get("x", {})
    sources: Tuple[Tuple[str, str], ...] = ()
    if conf:
        sources = (("/etc/audit/auditd.conf", ", ".join(f"{k}={conf[k]}" for k in (
            "log_file", "max_log_file", "num_logs", "max_log_file_action") if k in conf)),)
    return LogStorage(tuple(stores), None, sources)



LINUX: Dict[str, Collector] = {"audit.events": linux_events, "audit.storage": linux_storage}
WINDOWS: Dict[str, Collector] = {"audit.events": windows_events, "audit.storage": windows_storage}
