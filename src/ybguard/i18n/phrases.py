"""ybguard's own English words that still reach evidence as plain text, and their 中文.

Most evidence is written in ybguard's words as ``Said`` values (``ev.*`` keys), translated like
every message. A few collectors and checks still put fixed English phrases into plain-text
evidence next to host values — "PASS_MAX_DAYS=(unset)", "installed, enabled", "stack minimum:
8" — so a 中文 report would show them in English. Until each of those moves to a ``Msg`` in
its own module, this table translates exactly those phrases (anchored, so host text that merely
contains the words is left alone). Delete a line when its phrase leaves the code.
"""

from __future__ import annotations

import re
from typing import Pattern, Sequence, Tuple

# (pattern, 中文 replacement); whole-text patterns are anchored with ^…$.
_PHRASES: Sequence[Tuple[Pattern[str], str]] = tuple((re.compile(p), r) for p, r in (
    # collect/accounts.py: password policy sources
    (r"=\(unset\)", "=（未设置）"),
    (r" \(not read by PAM\)$", "（PAM 不读取此项）"),
    (r"^stack minimum: none$", "PAM 口令栈中的最小长度：无"),
    (r"^stack minimum: ", "PAM 口令栈中的最小长度："),
    (r"^no password stack \(common-password, system-auth, password-auth\)$",
     "没有口令栈（common-password、system-auth、password-auth）"),
    # collect/timesync.py: time sources
    (r"^servers: \(none\)$", "服务器：无"),
    (r"^servers: ", "服务器："),
    (r"^installed, enabled$", "已安装，已启用"),
    (r"^installed, not enabled$", "已安装，未启用"),
    (r"^installed, no systemd unit$", "已安装，没有 systemd 单元"),
    (r"^no enabled chrony, systemd-timesyncd or ntpd$", "没有启用 chrony、systemd-timesyncd 或 ntpd"),
    (r"^no answer: ", "无应答："),
    (r"^present$", "存在"),
    (r"^absent$", "不存在"),
    (r"^time sync$", "时间同步"),
    # collect/backups.py: the disk a backup copy is on
    (r"(^|；)disk (\S+?)(?=；|$)", r"\1磁盘 \2"),
    (r"(^|；)device (\S+) (\S+) at (.+?) \(no backing disk\)(?=；|$)", r"\1设备 \2（\3，挂载于 \4，没有物理磁盘）"),
    (r"(^|；)device (\S+) \(no backing disk\)(?=；|$)", r"\1设备 \2（没有物理磁盘）"),
    # collect/probe.py
    (r"^timed out$", "超时"),
    # collect/windows.py: net accounts
    (r"^minimum length (\S+), maximum age (\S+)$", r"最小长度 \1，最长使用期限 \2"),
    # checks/accounts.py
    (r"^password field empty$", "口令字段为空"),
    (r"^lastchg field empty$", "口令修改日期（lastchg）字段为空"),
    (r" \(days since 1970-01-01\)$", "（自 1970-01-01 起的天数）"),
    (r"^(\S+) uid=0$", r"\1 的 UID 为 0"),
    # checks/software.py
    (r"^exe \(unreadable\) user (\S+)$", r"程序（无法读取），用户 \1"),
    (r"^exe (.*) user (\S+)$", r"程序 \1，用户 \2"),
    # checks/accounts.py (time.offset)
    (r"^address (\S+); offset ", r"地址 \1；偏差 "),
))


def localize(text: str, lang: str) -> str:
    """``text`` with ybguard's fixed English phrases in 中文 when ``lang`` is zh."""
    if lang != "zh" or not text:
        return text
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text
