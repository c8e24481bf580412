"""One reader per file syntax, shared by every collector that reads that syntax.

- ``ini``: INI-shaped files with line numbers, in the dialects of their owners: GKeyFile
  (NetworkManager keyfiles, dconf), systemd units and ``*.conf`` (networkd, resolved,
  timesyncd), wg-quick.
- ``lines``: logical lines (backslash continuations) and ``KEY=value`` shell-variable files.
- ``shell``: a small tokenizer for the shell around network commands (``;``, ``&&``, ``if``,
  ``$(…)``) — not a shell: what it cannot resolve statically it says so.
- ``dropins``: which files apply, in which order (directory precedence, masking by name and by a
  link to ``/dev/null``), and how a later assignment combines with an earlier one (append or
  replace, per key).
- ``iptables``: the ``iptables-save`` / ``iptables-restore`` format.

Parsers are pure (``text -> records``); a line the owning program would reject raises
``Rejected`` with its ``path:line``, a line it ignores is returned as an ``Ignored`` note.
"""

from .errors import Ignored, Rejected, where

__all__ = ["Ignored", "Rejected", "where"]
