"""The commented site policy that ``ybguard policy init`` writes (data/site-policy.yaml)."""

from __future__ import annotations

import json
import os
import shlex
import string
from typing import Sequence

# With no --allow: private and non-routable space, as in the built-in default policy.
DEFAULT_ALLOWED = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")


def _flow(values: Sequence[str]) -> str:
    """A YAML flow sequence; JSON strings are valid YAML scalars, so any value is quoted safely."""
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def render_site_policy(path: str, policy_id: str, leased: Sequence[str] = (), allowed: Sequence[str] = (),
                       dns: Sequence[str] = (), ntp: Sequence[str] = ()) -> str:
    template = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "site-policy.yaml")
    with open(template, encoding="utf-8") as fh:
        text = string.Template(fh.read())
    return text.substitute(path=shlex.quote(path.replace("\n", " ")), policy_id=json.dumps(policy_id, ensure_ascii=False), leased_line=_flow(leased),
                           allowed_networks=_flow(allowed or DEFAULT_ALLOWED), allowed_dns=_flow(dns),
                           ntp_servers=_flow(ntp))
