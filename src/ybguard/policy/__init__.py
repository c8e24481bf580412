"""Policy layer: the typed schema and the YAML loader."""

from .interface import PolicyError
from .loader import (
    builtin_policy_path,
    dump_policy,
    load_policy_file,
    parse_policy_bytes,
    parse_policy_text,
    resolve_policy_path,
)
from .schema import Policy

__all__ = ["Policy", "PolicyError", "builtin_policy_path", "dump_policy", "load_policy_file",
           "parse_policy_bytes", "parse_policy_text", "resolve_policy_path"]
