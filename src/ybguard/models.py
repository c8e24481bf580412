"""Values that cross layers: statuses, severities, evidence, findings and the report.

Everything here is frozen and free of I/O, so reporters and tests can build them directly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"


class Severity(str, enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls(text.strip().lower())


_SEVERITY_ORDER = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class TargetKind(str, enum.Enum):
    LIVE = "live"
    ROOTFS = "rootfs"
    WINDOWS_IMAGE = "windows-image"
    WINDOWS_LIVE = "windows-live"
    LINUX_EVIDENCE = "linux-evidence"  # a bundle written by collect.sh (docs/evidence.md)
    WINDOWS_EVIDENCE = "windows-evidence"  # a bundle written by collect.cmd


class Verdict(str, enum.Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from (``source``) and what it said (``detail``), both plain text."""

    source: str
    detail: str


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    severity: Severity
    subject: str
    message: str
    rule: str
    remediation: str
    title: str
    area: str
    evidence: Tuple[Evidence, ...] = ()
    waiver: Optional[WaiverNote] = None
    clauses: Tuple[str, ...] = ()  # GB/T 22239-2019 items at the policy's 等保 level


@dataclass(frozen=True)
class WaiverNote:
    reason: str
    approved_by: str
    expires: str
    expired: bool


@dataclass(frozen=True)
class HostInfo:
    hostname: str
    os: str
    kernel: str
    target: TargetKind
    root: str
    arch: str = ""
    os_version: str = ""  # VERSION_ID (Linux) or the build (Windows); ``os`` is the display name
    machine_id: str = ""  # /etc/machine-id or the registry MachineGuid; "" when unknown


@dataclass(frozen=True)
class EvidenceRef:
    """The evidence bundle a report was made from: its manifest's sha256, when and by what it was collected."""

    sha256: str
    started_at: str
    finished_at: str
    collector: str  # "ybguard-collect.sh 0.1.0 (linux)"
    unhashed: int = 0  # artifacts the collector could not hash (no certutil on XP): hashed on arrival only


@dataclass(frozen=True)
class PolicyRef:
    id: str
    version: int
    sha256: str
    source: str
    title: str = ""  # policy.title: which baseline was applied, in the report's own words


@dataclass(frozen=True)
class Site:
    """Which terminal a report is about, as the hospital names it: policy ``site:`` (this record
    is its schema and defaults), with ``scan --label key=value`` over it."""

    hospital: str = ""  # 医院
    department: str = ""  # 科室
    asset_id: str = ""  # 资产编号
    location: str = ""  # 位置


@dataclass(frozen=True)
class Report:
    tool_version: str
    host: HostInfo
    policy: PolicyRef
    started_at: str
    duration_ms: int
    lang: str
    findings: Tuple[Finding, ...] = field(default_factory=tuple)
    evidence: Optional[EvidenceRef] = None  # set when the target is an evidence bundle
    site: Site = field(default_factory=Site)

    def counts(self) -> dict:
        out = {s.value: 0 for s in Status}
        for f in self.findings:
            out[f.status.value] += 1
        return out

    @property
    def verdict(self) -> Verdict:
        statuses = {f.status for f in self.findings}
        if Status.FAIL in statuses:
            return Verdict.NON_COMPLIANT
        if Status.ERROR in statuses:
            return Verdict.INCOMPLETE
        return Verdict.COMPLIANT


def exit_code(report: Report, fail_on: Severity) -> int:
    """0 compliant, 1 a fail at or above ``fail_on``, 3 errors (and no such fail)."""
    if any(f.status is Status.FAIL and f.severity.rank >= fail_on.rank for f in report.findings):
        return 1
    if any(f.status is Status.ERROR for f in report.findings):
        return 3
    return 0
