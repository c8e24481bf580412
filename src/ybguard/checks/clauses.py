"""GB/T 22239-2019 (等保 2.0) items the checks cite, written once, and the clause map of the
checks that predate them.

The standard numbers the same requirement ``7.1.x`` at level 2 and ``8.1.x`` at level 3; an item
that exists only at level 3 has no level-2 number. The policy's ``djbh_level`` picks which
number a report shows, and a check whose every clause is level-3 only (``Check.min_level = 3``)
is not applicable at level 2. The texts are the standard's own wording, shortened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Dict, Iterable, Tuple

if TYPE_CHECKING:
    from .interface import Check

STANDARD = "GB/T 22239-2019"


@dataclass(frozen=True)
class Clause:
    level2: str  # "7.1.4.1 a)"; "" when level 2 has no such item
    level3: str  # "8.1.4.1 a)"
    text: str  # the requirement, in the standard's words

    def at(self, level: int) -> str:
        """``GB/T 22239-2019 8.1.4.1 a) 身份鉴别：…`` for ``level``; "" when it has no such item."""
        number = self.level3 if level >= 3 else self.level2
        return f"{STANDARD} {number} {self.text}" if number else ""


# 安全计算环境 — 身份鉴别
AUTH_COMPLEXITY = Clause("7.1.4.1 a)", "8.1.4.1 a)", "身份鉴别：身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换")
AUTH_FAILURE = Clause("7.1.4.1 b)", "8.1.4.1 b)",
                      "身份鉴别：具有登录失败处理功能，配置并启用结束会话、限制非法登录次数和登录连接超时自动退出等措施")
AUTH_REMOTE = Clause("7.1.4.1 c)", "8.1.4.1 c)", "身份鉴别：远程管理时采取必要措施防止鉴别信息在网络传输过程中被窃听")
# 访问控制
ACCESS_ACCOUNTS = Clause("7.1.4.2 a)", "8.1.4.2 a)", "访问控制：对登录的用户分配账户和权限")
ACCESS_DEFAULTS = Clause("7.1.4.2 b)", "8.1.4.2 b)", "访问控制：重命名或删除默认账户，修改默认账户的默认口令")
ACCESS_EXCESS = Clause("7.1.4.2 c)", "8.1.4.2 c)", "访问控制：及时删除或停用多余的、过期的账户，避免共享账户的存在")
ACCESS_LEAST = Clause("7.1.4.2 d)", "8.1.4.2 d)", "访问控制：授予管理用户所需的最小权限，实现管理用户的权限分离")
# 安全审计
AUDIT_ENABLED = Clause("7.1.4.3 a)", "8.1.4.3 a)", "安全审计：启用安全审计功能，审计覆盖到每个用户，对重要的用户行为和重要安全事件进行审计")
AUDIT_CONTENT = Clause("7.1.4.3 b)", "8.1.4.3 b)", "安全审计：审计记录包括事件的日期和时间、用户、事件类型、事件是否成功等信息")
AUDIT_PROTECT = Clause("7.1.4.3 c)", "8.1.4.3 c)", "安全审计：对审计记录进行保护，定期备份，避免受到未预期的删除、修改或覆盖")
# 入侵防范
MINIMAL_INSTALL = Clause("7.1.4.4 a)", "8.1.4.4 a)", "入侵防范：遵循最小安装的原则，仅安装需要的组件和应用程序")
CLOSE_SERVICES = Clause("7.1.4.4 b)", "8.1.4.4 b)", "入侵防范：关闭不需要的系统服务、默认共享和高危端口")
LIMIT_ADMIN = Clause("7.1.4.4 c)", "8.1.4.4 c)", "入侵防范：通过设定终端接入方式或网络地址范围对通过网络进行管理的管理终端进行限制")
PATCH_VULNS = Clause("7.1.4.4 e)", "8.1.4.4 e)", "入侵防范：能发现可能存在的已知漏洞，并在经过充分测试评估后及时修补漏洞")
# 恶意代码防范 (level 2: install and update; level 3: identify and block in time)
MALWARE_L2 = Clause("7.1.4.5", "", "恶意代码防范：安装防恶意代码软件或配置具有相应功能的软件，并定期进行升级和更新防恶意代码库")
MALWARE_L3 = Clause("", "8.1.4.5", "恶意代码防范：采用免受恶意代码攻击的技术措施或主动免疫可信验证机制及时识别入侵和病毒行为，并将其有效阻断")
# 可信验证, 数据备份恢复
TRUSTED = Clause("7.1.4.6", "8.1.4.6", "可信验证：基于可信根对计算设备的系统引导程序、系统程序、重要配置参数和应用程序等进行可信验证")
BACKUP = Clause("7.1.4.8 a)", "8.1.4.9 a)", "数据备份恢复：提供重要数据的本地数据备份与恢复功能")
# 安全区域边界
BOUNDARY = Clause("7.1.3.1", "8.1.3.1 a)", "边界防护：跨越边界的访问和数据流通过边界设备提供的受控接口进行通信")
BOUNDARY_DEVICES = Clause("", "8.1.3.1 b)", "边界防护：能够对非授权设备私自联到内部网络的行为进行检查或限制")
BOUNDARY_OUTBOUND = Clause("", "8.1.3.1 c)", "边界防护：能够对内部用户非授权联到外部网络的行为进行检查或限制")
BOUNDARY_WIRELESS = Clause("", "8.1.3.1 d)", "边界防护：限制无线网络的使用，保证无线网络通过受控的边界设备接入内部网络")
BOUNDARY_ACL = Clause("7.1.3.2 a)", "8.1.3.2 a)",
                      "访问控制：根据访问控制策略设置访问控制规则，默认情况下除允许通信外受控接口拒绝所有通信")


_ISOLATION = (BOUNDARY, BOUNDARY_OUTBOUND)
_EXTENSION = (BOUNDARY, BOUNDARY_DEVICES)

# ybguard's reading of which item each pre-existing check serves (docs/checks.md shows it).
EXISTING: Dict[str, Tuple[Clause, ...]] = {
    "network.public-route": _ISOLATION,
    "network.default-route": _ISOLATION,
    "network.forbidden-interface": (BOUNDARY, BOUNDARY_OUTBOUND, BOUNDARY_WIRELESS),
    "network.dual-homed": _ISOLATION,
    "network.ip-forwarding": _EXTENSION,
    "network.nat": _EXTENSION,
    "network.bridge-leased-line": _EXTENSION,
    "network.shared-connection": (*_EXTENSION, BOUNDARY_WIRELESS),
    "network.dns": _ISOLATION,
    "network.proxy": _ISOLATION,
    "network.sockets": _ISOLATION,
    "network.live-traffic": _ISOLATION,
    "network.probe": _ISOLATION,
    "network.wireless-history": (BOUNDARY_WIRELESS,),
    "usb.storage-attached": (BOUNDARY_DEVICES,),
    "usb.storage-driver": (BOUNDARY_DEVICES,),
    "usb.optical": (BOUNDARY_DEVICES,),
    "usb.storage-history": (BOUNDARY_DEVICES,),
    "software.installed": (MINIMAL_INSTALL,),
    "software.processes": (MINIMAL_INSTALL,),
    "accounts.password-min-length": (AUTH_COMPLEXITY,),
    "accounts.password-max-age": (AUTH_COMPLEXITY,),
    "accounts.empty-password": (AUTH_COMPLEXITY, ACCESS_DEFAULTS),
    "accounts.password-age": (AUTH_COMPLEXITY,),
    "accounts.never-expires": (AUTH_COMPLEXITY, ACCESS_EXCESS),
    "accounts.uid0": (ACCESS_EXCESS, ACCESS_LEAST),
    "time.ntp-config": (AUDIT_CONTENT,),
    "time.sync": (AUDIT_CONTENT,),
    "time.offset": (AUDIT_CONTENT,),
    "time.manual-change": (AUDIT_CONTENT,),  # records carry a true date only on an unchanged clock
    "history.web": _ISOLATION,
    "history.installs": (MINIMAL_INSTALL,),
    "backups.copies": (BACKUP,),
    "integrity.baseline-files": (TRUSTED,),
    "integrity.baseline-packages": (TRUSTED,),
    "integrity.baseline-interfaces": (TRUSTED, BOUNDARY_DEVICES),
    "integrity.baseline-gateway": (TRUSTED, BOUNDARY_DEVICES),
}


def annotate(checks: Iterable[Check]) -> Tuple[Check, ...]:
    """The checks with their clauses: a check's own win; the map fills those without any."""
    out = []
    for check in checks:
        mapped = EXISTING.get(check.id, ())
        out.append(replace(check, clauses=mapped) if mapped and not check.clauses else check)
    return tuple(out)
