"""Proxy settings a Linux host (live or image) carries: environment files read by PAM and
systemd, login shells' start-up files (system-wide and per user), apt, yum/dnf and GNOME's
dconf defaults. The same files say the same thing live and offline, so one collector serves both."""

from __future__ import annotations

import re
import shlex
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from ...facts.network import Proxy
from ...target.interface import Target
from ..interface import CollectContext, FactError, PartialFact
from ..syntax.errors import Rejected
from ..syntax.ini import parse_keyfile
from .model import list_files, read_file

PROXY_VARS = frozenset({"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "rsync_proxy", "socks_proxy"})
_APT_PROXY = re.compile(r"Acquire::(\w+)::Proxy(?:::[^\s\"]+)?\s+\"([^\"]*)\"", re.IGNORECASE)
_APT_NESTED = re.compile(r"Acquire\s*\{[^}]*?(\w+)\s*\{[^}]*?Proxy\s+\"([^\"]*)\"", re.IGNORECASE | re.DOTALL)
NO_PROXY_VALUES = frozenset({"", "direct", "false", "none", "_none_", "''", '""'})


def _proxy(key: str, value: str, source: str) -> Optional[Proxy]:
    if key.strip().lower() not in PROXY_VARS or value.strip().lower() in NO_PROXY_VALUES:
        return None
    return Proxy(key.strip(), value, source)


def _word_lines(text: str) -> Iterator[Tuple[int, List[str]]]:
    """(line number, shell words) of each line that is not blank or a comment."""
    for no, line in enumerate(text.splitlines(), 1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # an unterminated quote: the words as written
            words = line.split()
        if words:
            yield no, words


def parse_env_proxies(text: str, source: str) -> Tuple[Proxy, ...]:
    """Proxy variables assigned in an environment file or a shell start-up file: ``KEY=value``,
    ``export KEY=value [K2=v2 …]`` (also indented inside ``if`` blocks), csh's ``setenv KEY value``."""
    found: List[Optional[Proxy]] = []
    for no, words in _word_lines(text):
        if words[0] == "setenv" and len(words) > 1:
            found.append(_proxy(words[1], words[2] if len(words) > 2 else "", f"{source}:{no}"))
            continue
        # Any assignment word of the line: ``export A=1 B=2``, ``[ -x … ] && export http_proxy=…``.
        for w in words:
            key, sep, value = w.partition("=")
            if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                found.append(_proxy(key, value, f"{source}:{no}"))
    return tuple(p for p in found if p)


def parse_pam_env(text: str, source: str) -> Tuple[Proxy, ...]:
    """pam_env.conf(5): ``VARIABLE [DEFAULT=[value]] [OVERRIDE=[value]]`` (OVERRIDE wins)."""
    found: List[Optional[Proxy]] = []
    for no, words in _word_lines(text):
        opts = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        found.append(_proxy(words[0], opts.get("OVERRIDE") or opts.get("DEFAULT", ""), f"{source}:{no}"))
    return tuple(p for p in found if p)


def parse_apt_proxies(text: str, source: str) -> Tuple[Proxy, ...]:
    out: List[Proxy] = []
    for no, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("//") or line.strip().startswith("#"):
            continue
        for m in _APT_PROXY.finditer(line):
            if m.group(2).strip().lower() not in NO_PROXY_VALUES:
                out.append(Proxy(f"Acquire::{m.group(1)}::Proxy", m.group(2), f"{source}:{no}"))
    if not out:
        for m in _APT_NESTED.finditer(text):
            if m.group(2).strip().lower() not in NO_PROXY_VALUES:
                no = text.count("\n", 0, m.start(2)) + 1
                out.append(Proxy(f"Acquire::{m.group(1)}::Proxy", m.group(2), f"{source}:{no}"))
    return tuple(out)


def parse_ini_proxy(text: str, source: str) -> Tuple[Proxy, ...]:
    """``proxy=`` in yum.conf / dnf.conf (any section)."""
    out: List[Proxy] = []
    for no, line in enumerate(text.splitlines(), 1):
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "proxy" and value.strip().lower() not in NO_PROXY_VALUES:
            out.append(Proxy("proxy", value.strip(), f"{source}:{no}"))
    return tuple(out)


def parse_dconf_proxy(text: str, source: str) -> Tuple[Proxy, ...]:
    """GNOME system-wide defaults: ``[system/proxy] mode='manual'`` or ``'auto'`` (a PAC URL).
    dconf keyfiles are GKeyFiles: one glib refuses is ``Rejected``."""
    kf = parse_keyfile(source, text)
    mode = kf.get("system/proxy", "mode").strip("'\"")
    if mode not in ("manual", "auto"):
        return ()
    detail = [f"mode={mode}"]
    for proto in ("http", "https", "socks", "ftp"):
        host = kf.get(f"system/proxy/{proto}", "host").strip("'\"")
        if host:
            port = kf.get(f"system/proxy/{proto}", "port")
            detail.append(f"{proto}={host}:{port}" if port else f"{proto}={host}")
    url = kf.get("system/proxy", "autoconfig-url").strip("'\"")
    if url:
        detail.append(f"autoconfig-url={url}")
    return (Proxy("org.gnome.system.proxy", " ".join(detail), source),)


# Files every login shell (or PAM) reads, system-wide.
SYSTEM_SHELL_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/zsh/zshenv", "/etc/zsh/zprofile",
                      "/etc/zsh/zshrc", "/etc/zshenv", "/etc/zprofile", "/etc/csh.cshrc", "/etc/csh.login")
# A user's own start-up files, relative to the home directory.
USER_SHELL_FILES = (".profile", ".bash_profile", ".bash_login", ".bashrc", ".zshenv", ".zprofile", ".zshrc",
                    ".cshrc", ".tcshrc", ".login", ".pam_environment", ".config/environment.d/*.conf")


_NO_LOGIN = ("nologin", "false")


def homes(text: str) -> List[Tuple[str, str]]:
    """(user, home directory) of the accounts that can log in (whose shell is not nologin/false; an
    empty shell is /bin/sh) in /etc/passwd, the first entry of a name winning, as glibc reads it."""
    out: List[Tuple[str, str]] = []
    seen = set()
    for raw in text.splitlines():
        f = raw.split(":")
        if len(f) >= 7 and f[0] and not raw.startswith(("#", "+", "-")) and f[0] not in seen:
            seen.add(f[0])
            shell = f[6].strip().rsplit("/", 1)[-1]
            if f[5].startswith("/") and f[5] != "/" and shell not in _NO_LOGIN:
                out.append((f[0], f[5].rstrip("/")))
    return out


def _user_files(target: Target) -> List[Tuple[str, str]]:
    """(path, user) of every login user's shell start-up files the host holds."""
    out: List[Tuple[str, str]] = []
    passwd = read_file(target, "/etc/passwd") or ""
    for user, home in homes(passwd):
        if not target.is_dir(home):
            continue
        names = set(target.listdir(home))
        for name in USER_SHELL_FILES:
            if "/" in name:
                out.extend((p, user) for p in list_files(target, f"{home}/{name}"))
            elif name in names:
                out.append((f"{home}/{name}", user))
    return out


def collect_proxies(ctx: CollectContext) -> Tuple[Proxy, ...]:
    target = ctx.target
    out: List[Proxy] = []
    refused: List[Rejected] = []

    def each(paths: Iterable[str], parse: object, user: str = "") -> None:
        for path in paths:
            if target.is_dir(path):
                continue
            text = read_file(target, path)
            if text is None:
                continue
            try:
                found: Sequence[Proxy] = parse(text, path)  # type: ignore[operator]
            except Rejected as exc:
                refused.append(exc)
                continue
            out.extend(Proxy(p.setting, p.value, f"{p.source} (user {user})") if user else p for p in found)

    each(["/etc/environment", *list_files(target, "/etc/environment.d/*.conf")], parse_env_proxies)
    each(["/etc/security/pam_env.conf"], parse_pam_env)
    each([*SYSTEM_SHELL_FILES, *list_files(target, "/etc/profile.d/*.sh"), *list_files(target, "/etc/profile.d/*.csh")],
         parse_env_proxies)
    for path, user in _user_files(target):
        each([path], parse_pam_env if path.endswith("/.pam_environment") else parse_env_proxies, user)
    each(["/etc/apt/apt.conf", *target.glob("/etc/apt/apt.conf.d/*")], parse_apt_proxies)
    each(["/etc/yum.conf", "/etc/dnf/dnf.conf"], parse_ini_proxy)
    each(target.glob("/etc/dconf/db/*.d/*"), parse_dconf_proxy)
    if refused:
        raise PartialFact(tuple(out), [FactError("netconfig.bad_file", path=r.path, problem=r.problem)
                                       for r in refused])
    return tuple(out)
