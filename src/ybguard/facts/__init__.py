"""Fact records: the contract between collectors (live Linux, Linux image, Windows) and checks.

Frozen, I/O-free dataclasses. A collector of any target kind produces these; a check reads
only these. Fact keys (strings used with ``FactSet.get``) are listed in each module's
docstring.
"""
