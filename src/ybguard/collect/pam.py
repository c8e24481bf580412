"""The password stack walked the way libpam runs it, to find the shortest password that can be set.

``pam_chauthtok`` runs the stack twice (libpam ``_pam_dispatch``): a ``PAM_PRELIM_CHECK`` pass,
whose return codes are *frozen*, then a ``PAM_UPDATE_AUTHTOK`` pass in which every module's
action is the one its frozen code chose (a jump taken before is taken again) while its new
return code decides the stack's status, so a module that was not ignored before must now
succeed. Between modules the stack keeps an *impression* (undefined, positive, negative) and a
status, changed by the action of each return code (``ok``, ``done``, ``bad``, ``die``,
``ignore``, ``reset``, a jump ``N``) exactly as ``_pam_dispatch_aux`` does.

A length ``L`` can be set for a local account when some run of both passes ends positive with
``PAM_SUCCESS`` and ``pam_unix`` stored the password on the way (``sufficient`` or
``[success=N …]`` modules ahead of ``pam_pwquality`` make such runs exist for short passwords).
A module we do not know (``pam_sss``, ``pam_foo``) may return anything; when the shortest such
run needs one of them to succeed, the answer depends on that module and is not decided:
``Undecidable``, which the collector turns into an error — never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

ACTIONS = ("ignore", "bad", "die", "ok", "done", "reset")
# pam.conf(5): the four keywords as bracket expressions.
SIMPLE_CONTROLS: Mapping[str, Mapping[str, str]] = {
    "required": {"success": "ok", "new_authtok_reqd": "ok", "ignore": "ignore", "default": "bad"},
    "requisite": {"success": "ok", "new_authtok_reqd": "ok", "ignore": "ignore", "default": "die"},
    "sufficient": {"success": "done", "new_authtok_reqd": "done", "default": "ignore"},
    "optional": {"success": "ok", "new_authtok_reqd": "ok", "default": "ignore"},
}
# The return-code names pam.conf(5) accepts in a bracket.
RETURN_NAMES = frozenset("""success open_err symbol_err service_err system_err buf_err perm_denied auth_err
cred_insufficient authinfo_unavail user_unknown maxtries new_authtok_reqd acct_expired session_err
cred_unavail cred_expired cred_err no_module_data conv_err authtok_err authtok_recover_err
authtok_lock_busy authtok_disable_aging try_again ignore abort authtok_expired module_unknown bad_item
conv_again incomplete default""".split())

# What a module can return (prelim codes, update codes); "L" marks a length check in update.
ALWAYS: Mapping[str, Tuple[str, ...]] = {"pam_deny.so": ("authtok_err",), "pam_permit.so": ("success",),
                                         "pam_warn.so": ("ignore",), "pam_echo.so": ("ignore",)}
# Modules whose answer depends only on who the user is: the same in both passes.
CONDITIONS = frozenset({"pam_localuser.so", "pam_usertype.so", "pam_succeed_if.so", "pam_listfile.so",
                        "pam_access.so", "pam_rootok.so", "pam_wheel.so", "pam_shells.so"})
CONDITION_CODES = ("success", "auth_err", "perm_denied", "user_unknown")
HELPERS = frozenset({"pam_pwhistory.so", "pam_faillock.so", "pam_faildelay.so", "pam_env.so"})
UNKNOWN_CODES = ("success", "ignore", "authtok_err", "user_unknown", "authinfo_unavail")
STORES = "pam_unix.so"  # the module that writes a local account's password
LENGTH_CHECKS = frozenset({"pam_pwquality.so", "pam_cracklib.so", STORES})
MAX_RUNS = 200_000


class Undecidable(Exception):
    """The stack's effect cannot be decided statically; ``where`` is "file:line" or ""."""

    def __init__(self, why: str, where: str = "") -> None:
        super().__init__(why, where)
        self.why = why
        self.where = where


@dataclass(frozen=True)
class Module:
    where: str  # "file:line"
    control: str
    name: str  # basename: pam_unix.so
    minimum: Optional[int]  # shortest password this module accepts in the update pass; None = no length check
    optional_load: bool = False  # "-password": skipped when the module is not installed


def is_unknown(name: str) -> bool:
    """A module whose answers we cannot foresee (pam_sss, pam_ldap, a site's own)."""
    return not (name in ALWAYS or name in CONDITIONS or name in HELPERS or name in LENGTH_CHECKS)


def actions_of(control: str, where: str) -> Dict[str, str]:
    """``required`` … or ``[value=action …]`` -> {return name: action}; unknown words are undecidable."""
    if control in SIMPLE_CONTROLS:
        return dict(SIMPLE_CONTROLS[control])
    if not (control.startswith("[") and control.endswith("]")):
        raise Undecidable(f"control {control!r}", where)
    out: Dict[str, str] = {}
    for word in control[1:-1].split():
        name, sep, action = word.partition("=")
        if not sep or name not in RETURN_NAMES or not (action in ACTIONS or action.isdigit()):
            raise Undecidable(f"control {control!r}: {word!r}", where)
        out[name] = action
    return out


def _action(actions: Mapping[str, str], code: str) -> str:
    # libpam fills every value the bracket leaves out with its default, else with "bad".
    return actions.get(code, actions.get("default", "bad"))


@dataclass
class _State:
    impression: str = "undef"  # undef | pos | neg
    status: str = "must_fail"
    stored: bool = False
    unknown: bool = False  # an unknown module's success was acted upon


def _outcomes(m: Module, phase: str, length: int, frozen: Optional[str]) -> Tuple[str, ...]:
    if m.name in ALWAYS:
        codes: Tuple[str, ...] = ALWAYS[m.name]
    elif m.name in CONDITIONS:
        codes = (frozen,) if frozen is not None else CONDITION_CODES
    elif m.name in LENGTH_CHECKS:
        if phase == "prelim":
            codes = ("success", "auth_err") if m.name == STORES else ("success",)  # pam_unix checks the old password
        else:
            codes = ("success",) if m.minimum is None or length >= m.minimum else ("authtok_err",)
    elif m.name in HELPERS:
        codes = ("success",) if phase == "prelim" else ("success", "authtok_err")
    else:
        codes = UNKNOWN_CODES
    if m.optional_load and frozen is None:
        codes = codes + ("ignore",)
    return codes


def _runs(modules: Sequence[Module], table: Sequence[Mapping[str, str]], phase: str, length: int,
          frozen: Mapping[int, str], budget: List[int]) -> Iterator[Tuple[_State, Dict[int, str]]]:
    """Every way one pass can go: (final state, return code of each module that ran)."""

    def walk(i: int, st: _State, codes: Dict[int, str]) -> Iterator[Tuple[_State, Dict[int, str]]]:
        budget[0] -= 1
        if budget[0] < 0:
            raise Undecidable("too many paths through the stack")
        if i >= len(modules):
            yield st, codes
            return
        m = modules[i]
        if phase == "update" and i not in frozen:
            if st.impression == "neg":
                yield st, codes  # ends negative whatever follows
                return
            raise Undecidable("the update pass reaches a module the first pass did not run", m.where)
        for code in dict.fromkeys(_outcomes(m, phase, length, frozen.get(i) if m.name in CONDITIONS else None)):
            cached = code if phase == "prelim" else frozen[i]
            action = _action(table[i], cached)
            nxt = _State(st.impression, st.status, st.stored, st.unknown)
            step = 1
            if action.isdigit():
                step += int(action)
                action = "ok" if phase == "update" else "jump"
            if action in ("ok", "done"):
                if nxt.impression == "undef" or (nxt.impression == "pos" and nxt.status == "success"):
                    if code != "ignore" or cached == code:
                        nxt.impression, nxt.status = "pos", code
            elif action in ("bad", "die"):
                if nxt.impression != "neg":
                    nxt.impression = "neg"
                    nxt.status = "must_fail" if code == "success" else code
            elif action == "reset":
                nxt.impression, nxt.status = "undef", "must_fail"
            if code == "success" and action != "ignore":
                if phase == "update" and m.name == STORES:
                    nxt.stored = True
                if is_unknown(m.name):
                    nxt.unknown = True
            done = (action == "done" and nxt.impression != "neg") or action == "die"
            here = dict(codes)
            here[i] = code
            if done:
                yield nxt, here
            else:
                yield from walk(i + step, nxt, here)

    yield from walk(0, _State(), {})


def _settable(modules: Sequence[Module], table: Sequence[Mapping[str, str]], length: int,
              needs_store: bool, budget: List[int]) -> Tuple[bool, bool]:
    """(a run sets a password of ``length`` without an unknown module's help, one does with it)."""
    known = helped = False
    for pre, codes in _runs(modules, table, "prelim", length, {}, budget):
        if not (pre.impression == "pos" and pre.status == "success"):
            continue
        for post, _codes in _runs(modules, table, "update", length, codes, budget):
            if post.impression == "pos" and post.status == "success" and (post.stored or not needs_store):
                if pre.unknown or post.unknown:
                    helped = True
                else:
                    known = True
            if known:
                return known, helped
    return known, helped


def shortest_password(modules: Sequence[Module]) -> Optional[int]:
    """The shortest password a local account can be given through this stack; None when no
    module on the way checks the length. Raises Undecidable."""
    if any(m.control in ("include", "substack") or m.control.startswith("@") for m in modules):
        m = next(m for m in modules if m.control in ("include", "substack") or m.control.startswith("@"))
        raise Undecidable(f"{m.control} {m.name}: another file's stack", m.where)
    table = [actions_of(m.control, m.where) for m in modules]
    needs_store = any(m.name == STORES for m in modules)
    lengths = sorted({0} | {m.minimum for m in modules if m.minimum is not None})
    budget = [MAX_RUNS]
    for length in lengths:
        known, helped = _settable(modules, table, length, needs_store, budget)
        if helped and not known:
            helper = next((m for m in modules if is_unknown(m.name)), None)
            raise Undecidable(f"a password of {length} characters is accepted only if "
                              f"{helper.name if helper else 'an unknown module'} succeeds",
                              helper.where if helper else "")
        if known:
            return None if length == 0 else length
    raise Undecidable("no way through the stack changes a password")

