"""Run baseline create / drift inside a network namespace with a stand-in interface collector.

On this branch ``network.interfaces`` has no collector yet (another area writes it); this
helper registers a minimal sysfs reader for it so the baseline's NIC drift is tested on real
kernel interfaces. After merge the integrator switches this to the real collector.

usage: python nsbaseline_helper.py create|scan POLICY BASELINE
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Tuple

from ybguard.baseline import create
from ybguard.checks import ALL_CHECKS, select_checks
from ybguard.collect import CollectContext, FactSet, ScanOptions, registry_for
from ybguard.engine import run_scan
from ybguard.facts.network import Interface
from ybguard.policy import load_policy_file
from ybguard.target import LiveLinuxTarget


def sysfs_interfaces(ctx: CollectContext) -> Tuple[Interface, ...]:
    out = []
    for name in ctx.target.listdir("/sys/class/net"):
        mac = ctx.target.read_text(f"/sys/class/net/{name}/address").strip()
        arphrd = ctx.target.read_text(f"/sys/class/net/{name}/type").strip()
        out.append(Interface(name=name, kind="loopback" if arphrd == "772" else "ethernet", mac=mac,
                             source=f"sysfs /sys/class/net/{name}"))
    return tuple(out)


def main(mode: str, policy_path: str, baseline_path: str) -> None:
    policy = load_policy_file(policy_path)
    registry = dict(registry_for("linux"))
    registry["network.interfaces"] = sysfs_interfaces
    now = datetime.now(timezone.utc)
    if mode == "create":
        facts = FactSet(LiveLinuxTarget(), policy, ScanOptions(now=now), registry)
        with open(baseline_path, "w") as fh:
            json.dump(create(facts, now), fh)
        return
    options = ScanOptions(now=now, baseline_path=baseline_path)
    report = run_scan(policy, LiveLinuxTarget(), select_checks(ALL_CHECKS, ["integrity.*"]), options, registry=registry)
    print(json.dumps([[f.check, f.status.value, f.subject, f.message] for f in report.findings]))


if __name__ == "__main__":
    main(*sys.argv[1:4])
