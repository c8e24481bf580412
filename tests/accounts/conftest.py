"""Fixtures of the accounts/time/backups/integrity tests."""

from __future__ import annotations

from pathlib import Path

import pytest

POLICY = """\
policy: {id: accounts-test, version: 1}
network:
  leased_line: {interfaces: [eth0]}
  allowed_networks: [10.50.0.0/16, 10.88.0.0/30]
accounts: {password_min_length: 8, password_max_age_days: 90, forbid_empty_passwords: true}
time: {ntp_servers: [10.50.0.123], max_offset_seconds: 60}
"""


@pytest.fixture
def acct_policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return path
