"""Password policy: the SAM domain F value offline, secedit / ``net accounts`` live."""

from __future__ import annotations

import struct
from typing import Dict, Optional, Sequence, Tuple

from ...facts.accounts import Account, PasswordPolicy
from ...target.interface import TargetError, Unsupported
from ...target.windows import WindowsTarget
from ..interface import CollectContext, Collector, FactError
from .common import (
    _registry,
)


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


def _live_password_policy(target: WindowsTarget) -> PasswordPolicy:
    """``secedit /export /cfg secedit.inf`` (needs an elevated prompt), else ``net accounts``.

    The command line is exactly the one the evidence kit records (contract 1): the live target
    runs every tool in a private scratch directory, so the relative file name lands there.
    """
    try:
        target.run(["secedit", "/export", "/cfg", SECEDIT_FILE], timeout=60)
        raw = target.tool_file(SECEDIT_FILE)
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
        return policy_from_secedit(text)
    except (RuntimeError, ValueError, OSError, TargetError):
        pass
    try:  # the same two numbers, language independent, without elevation
        from . import live

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


def collect_users(ctx: CollectContext) -> Tuple[Account, ...]:
    target = ctx.target
    if not target.is_live:
        raise Unsupported("windows.sam_accounts")
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
