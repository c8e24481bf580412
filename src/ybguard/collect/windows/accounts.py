"""Password policy: the SAM domain F value offline, secedit / ``net accounts`` live."""

from __future__ import annotations

import struct
from typing import Dict, List, Optional, Sequence, Tuple

from ...facts.accounts import Account, PasswordPolicy
from ...target.interface import TargetError, Unsupported
from ...target.windows import Hive, RegKey, WindowsTarget, filetime_to_datetime
from ..interface import CollectContext, Collector, FactError
from .common import _registry, require_this_host


def parse_sam_domain_f(data: bytes) -> Tuple[Optional[int], Optional[int]]:
    """SAM\\Domains\\Account value ``F`` -> (minimum password length, maximum age in days).

    MaxPasswordAge (offset 0x18) is a negative interval in 100 ns ticks; the most negative
    value (or 0) means "never expires". MinPasswordLength is the WORD at 0x50.
    """
    if not isinstance(data, bytes) or len(data) < 0x52:
        raise ValueError("SAM domain F value is too short")
    (max_age,) = struct.unpack_from("<q", data, 0x18)
    (min_len,) = struct.unpack_from("<H", data, 0x50)
    days = None if max_age in (0, -(2 ** 63)) else (-max_age) // (10 ** 7 * 86400)
    return min_len, days


def parse_secedit_inf(text: str) -> Dict[str, str]:
    """The [System Access] section of ``secedit /export`` (keys are never localised)."""
    out: Dict[str, str] = {}
    section = ""
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if section == "system access" and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


def policy_from_secedit(text: str) -> PasswordPolicy:
    access = parse_secedit_inf(text)
    if "MinimumPasswordLength" not in access or "MaximumPasswordAge" not in access:
        raise ValueError("secedit export has no [System Access] password settings")
    min_len = int(access["MinimumPasswordLength"])
    max_age = int(access["MaximumPasswordAge"])
    return PasswordPolicy(
        min_length=min_len, max_age_days=None if max_age <= 0 else max_age,
        sources=(("secedit /export /areas SECURITYPOLICY",
                  f"MinimumPasswordLength = {min_len}, MaximumPasswordAge = {max_age}"),))


def parse_net_accounts(text: str) -> Tuple[int, Optional[int]]:
    """``net accounts`` -> (minimum length, maximum age in days or None = unlimited).

    The labels are translated ("Maximum password age (days):" / "密码最长使用期限(天):"), so the
    values are taken by position among the "label: value" lines (net.exe appends the colon in
    every language): the 3rd is the maximum age, the 4th the minimum length. Lines without a
    colon are not fields: a domain answer starts with "The request will be processed at a
    domain controller …" / "这项请求将在域 … 的域控制器处理。", which shifted every value by one
    before (recorded in tests/data/windows/real). The last word of a field line is its value;
    a maximum age that is not a number ("Unlimited", "无限制") means passwords never expire.
    """
    fields = [ln for ln in text.splitlines() if (":" in ln or "\uff1a" in ln) and ln.split()]
    values = [ln.split()[-1] for ln in fields]
    if len(values) < 5 or not values[1].isdigit() or not values[3].isdigit():
        raise ValueError("unexpected net accounts output")
    return int(values[3]), int(values[2]) if values[2].isdigit() else None


SECEDIT_FILE = "secedit.inf"


def collect_password_policy(ctx: CollectContext) -> PasswordPolicy:
    target = ctx.target
    reg = _registry(ctx)
    if target.is_live and isinstance(target, WindowsTarget):
        return _live_password_policy(target)
    sam = reg.sam
    if sam is None:
        raise Unsupported("windows.sam_missing")
    key = sam.key("SAM\\Domains\\Account")
    data = key.value("F") if key is not None else None
    if not isinstance(data, bytes):
        raise FactError("windows.key_missing", path=f"{sam.label}\\SAM\\Domains\\Account F")
    try:
        min_len, max_age = parse_sam_domain_f(data)
    except ValueError as exc:
        raise FactError("windows.bad_value", path=key.path if key else "", value="F") from exc
    return PasswordPolicy(min_length=min_len, max_age_days=max_age,
                          sources=((f"{key.path if key else ''} F",
                                    f"MinPasswordLength={min_len}, MaxPasswordAge={max_age if max_age is not None else 'never'} days"),))


def secedit_export(target: WindowsTarget) -> str:
    """``secedit /export /cfg secedit.inf`` (needs an elevated prompt), decoded (UTF-16 on Windows).

    The command line is exactly the one the evidence kit records (contract 1): the live target
    runs every tool in a private scratch directory, so the relative file name lands there, and an
    evidence bundle answers it from ``commands/secedit.inf``."""
    target.run(["secedit", "/export", "/cfg", SECEDIT_FILE], timeout=60)
    raw = target.tool_file(SECEDIT_FILE)
    return raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")


def _live_password_policy(target: WindowsTarget) -> PasswordPolicy:
    """``secedit /export /cfg secedit.inf`` (needs an elevated prompt), else ``net accounts``.

    The command line is exactly the one the evidence kit records (contract 1): the live target
    runs every tool in a private scratch directory, so the relative file name lands there.
    """
    try:
        return policy_from_secedit(secedit_export(target))
    except (RuntimeError, ValueError, OSError, TargetError):
        pass
    try:  # the same two numbers, language independent, without elevation (this host only)
        from ...target.windows import WindowsLiveTarget
        from . import live

        if not isinstance(target, WindowsLiveTarget):
            raise OSError("not this host")

        length, age = live.user_modals()
        days = None if age in (live.TIMEQ_FOREVER, 0) else age // 86400
        return PasswordPolicy(min_length=length, max_age_days=days, sources=(
            ("NetUserModalsGet level 0", f"usrmod0_min_passwd_len={length}, usrmod0_max_passwd_age={age} s "
                                         f"(MaximumPasswordAge {days if days is not None else 'never'})"),))
    except OSError:
        pass
    min_len, max_age = parse_net_accounts(target.run(["net", "accounts"]))
    return PasswordPolicy(min_length=min_len, max_age_days=max_age,
                          sources=(("net accounts", f"minimum length {min_len}, maximum age {max_age}"),))


BUILTIN_ADMINISTRATOR_RID = 500  # the built-in Administrator, whatever it is called (renamed, 中文)
ADMINISTRATORS_SID = "S-1-5-32-544"


def accounts_from_netapi(users: Sequence[Tuple[str, int, int, int, int]], admin_sids: Sequence[Tuple[str, str]],
                         max_age_seconds: Optional[int], now_days: int) -> Tuple[Account, ...]:
    r"""NetUserEnum rows (name, RID, flags, priv, password age s) -> accounts, by flag and RID.

    ``uid`` is the RID; a member of BUILTIN\Administrators (by SID) other than the built-in
    Administrator is reported with ``admin_via``: it holds the power UID 0 holds on Linux.
    """
    from .live import UF_ACCOUNTDISABLE, UF_DONT_EXPIRE_PASSWD, UF_PASSWD_NOTREQD

    admin_rids = {int(sid.rsplit("-", 1)[1]) for sid, _ in admin_sids
                  if sid.startswith("S-1-5-21-") and sid.rsplit("-", 1)[1].isdigit()}
    out = []
    for name, rid, flags, _priv, age in users:
        never = bool(flags & UF_DONT_EXPIRE_PASSWD) or max_age_seconds is None
        age_days = age // 86400
        admin = rid in admin_rids and rid != BUILTIN_ADMINISTRATOR_RID
        out.append(Account(
            name=name, uid=rid, login=not flags & UF_ACCOUNTDISABLE,
            password_state="none" if flags & UF_PASSWD_NOTREQD else "set",
            last_change_days=now_days - age_days, max_days=None if never else (max_age_seconds or 0) // 86400,
            source=f"NetUserEnum level 3: {name} RID {rid} flags {flags:#x}", password_age_days=age_days or None,
            admin_via=f"member of BUILTIN\\Administrators ({ADMINISTRATORS_SID})" if admin else ""))
    return tuple(out)


# --- offline: the SAM hive's user records (SAM\Domains\Account\Users\<RID>\F and V) --------
ACB_DISABLED = 0x0001
ACB_PWNOTREQ = 0x0004
ACB_PWNOEXP = 0x0200
_V_BASE = 0xCC  # V's offsets count from the end of its 0xCC-byte header
EMPTY_NT_LENGTHS = (0, 4, 0x18)  # a header with no hash: RC4 era (4) and AES era (0x18, Windows 10 1607+)


def parse_sam_user(f: bytes, v: bytes) -> Tuple[str, int, int, int, bool]:
    """A user's F and V values -> (name, RID, account control bits, password last set FILETIME,
    has an NT hash). Layout: F 0x18 PasswordLastSet, 0x30 RID, 0x38 ACB flags; V entries are
    (offset, length) pairs: 0x0C the name (UTF-16LE), 0xA8 the NT hash."""
    if len(f) < 0x3A or len(v) < _V_BASE:
        raise ValueError("SAM user F or V value is too short")
    (last_set,) = struct.unpack_from("<Q", f, 0x18)
    (rid,) = struct.unpack_from("<I", f, 0x30)
    (acb,) = struct.unpack_from("<H", f, 0x38)
    name_off, name_len = struct.unpack_from("<II", v, 0x0C)
    if _V_BASE + name_off + name_len > len(v):
        raise ValueError("SAM user name lies outside V")
    name = v[_V_BASE + name_off:_V_BASE + name_off + name_len].decode("utf-16-le", "replace")
    (nt_len,) = struct.unpack_from("<I", v, 0xAC)
    if nt_len in EMPTY_NT_LENGTHS:
        has_hash = False
    elif nt_len == 0x14 or nt_len >= 0x28:  # 4-byte header + 16-byte hash; AES header + encrypted hash
        has_hash = True
    else:
        raise ValueError(f"unknown NT hash entry length {nt_len}")
    return name, rid, acb, last_set, has_hash


def parse_sid(data: bytes, pos: int) -> Tuple[str, int]:
    """A binary SID at ``pos`` -> (S-1-5-…, its length)."""
    if pos + 8 > len(data):
        raise ValueError("SID outside the value")
    rev, count = data[pos], data[pos + 1]
    if pos + 8 + 4 * count > len(data):
        raise ValueError("SID outside the value")
    authority = int.from_bytes(data[pos + 2:pos + 8], "big")
    subs = struct.unpack_from(f"<{count}I", data, pos + 8)
    return "-".join(["S", str(rev), str(authority), *map(str, subs)]), 8 + 4 * count


def parse_alias_members(c: bytes) -> List[str]:
    """An alias's C value (Builtin\\Aliases\00000220 = Administrators) -> member SIDs."""
    if len(c) < 0x34:
        raise ValueError("SAM alias C value is too short")
    (offset,) = struct.unpack_from("<I", c, 0x28)
    (count,) = struct.unpack_from("<I", c, 0x30)
    pos, out = 0x34 + offset, []
    for _ in range(min(count, 4096)):
        sid, size = parse_sid(c, pos)
        out.append(sid)
        pos += size
    return out


def machine_sid(account_v: bytes) -> str:
    r"""The machine's SID from SAM\Domains\Account V: its last 12 bytes are the 3 sub-authorities."""
    if len(account_v) < 12:
        raise ValueError("SAM account V value is too short")
    return "S-1-5-21-" + "-".join(map(str, struct.unpack("<3I", account_v[-12:])))


def _bytes_of(key: Optional[RegKey], name: str) -> bytes:
    data = key.value(name) if key is not None else None
    if not isinstance(data, bytes):
        raise FactError("windows.key_missing", path=f"{key.path if key is not None else 'SAM'} {name}")
    return data


def accounts_from_sam(reg_sam: Hive, now_days: int) -> Tuple[Account, ...]:
    account = reg_sam.key("SAM\\Domains\\Account")
    users = reg_sam.key("SAM\\Domains\\Account\\Users")
    if account is None or users is None:
        raise FactError("windows.key_missing", path=f"{reg_sam.label}\\SAM\\Domains\\Account\\Users")
    try:
        _min_len, max_age = parse_sam_domain_f(_bytes_of(account, "F"))
        local = machine_sid(_bytes_of(account, "V"))
        alias = reg_sam.key("SAM\\Domains\\Builtin\\Aliases\\00000220")
        members = parse_alias_members(_bytes_of(alias, "C")) if alias is not None else []
    except ValueError as exc:
        raise FactError("windows.bad_value", path=account.path, value=str(exc)) from None
    admin_rids = {int(m.rsplit("-", 1)[1]) for m in members if m.rsplit("-", 1)[0] == local}
    out = []
    for key in users.subkeys():
        if key.name.lower() == "names":
            continue
        try:
            name, rid, acb, last_set, has_hash = parse_sam_user(_bytes_of(key, "F"), _bytes_of(key, "V"))
        except ValueError as exc:
            raise FactError("windows.bad_value", path=key.path, value=str(exc)) from None
        changed = filetime_to_datetime(last_set)
        last_days = int(changed.timestamp() // 86400) if changed is not None else None
        admin = rid in admin_rids and rid != BUILTIN_ADMINISTRATOR_RID
        out.append(Account(
            name=name, uid=rid, login=not acb & ACB_DISABLED, password_state="set" if has_hash else "empty",
            last_change_days=last_days, max_days=None if acb & ACB_PWNOEXP else max_age,
            source=f"{key.path} F/V: RID {rid}, ACB {acb:#06x}, NT hash {'present' if has_hash else 'absent'}",
            password_age_days=(now_days - last_days) if last_days is not None else None,
            admin_via=f"member of BUILTIN\\Administrators ({ADMINISTRATORS_SID}) in the SAM hive" if admin else ""))
    return tuple(out)


def collect_users(ctx: CollectContext) -> Tuple[Account, ...]:
    target = ctx.target
    if not target.is_live:
        import time as _t

        sam = _registry(ctx).sam
        if sam is None:
            raise Unsupported("windows.sam_missing")
        now = ctx.options.now.timestamp() if ctx.options.now else _t.time()
        return accounts_from_sam(sam, int(now // 86400))
    require_this_host(ctx, "NetUserEnum")
    import time as _time

    from . import live

    now = ctx.options.now.timestamp() if ctx.options.now else _time.time()
    users = live.net_users()
    try:
        _min_len, age = live.user_modals()
        max_age: Optional[int] = None if age in (live.TIMEQ_FOREVER, 0) else age
    except OSError:  # the policy fact has other sources (secedit, net accounts)
        days = ctx.facts.get("accounts.password_policy").max_age_days
        max_age = None if days is None else days * 86400
    return accounts_from_netapi(users, live.administrators(), max_age, int(now // 86400))


FACTS: Dict[str, Collector] = {"accounts.password_policy": collect_password_policy, "accounts.users": collect_users}
