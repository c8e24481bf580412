"""``ybguard kit``: write the evidence collector for a terminal that must not install anything.

The collectors (``data/kit/collect.sh``, ``data/kit/collect.cmd``) carry ybguard's version in
the manifests they write, so a report says which collector made its evidence, and a newer
ybguard keeps reading bundles of older kits (docs/evidence.md, "Versions").
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Dict, List, Tuple

from . import __version__

# file in the kit -> (packaged resource, line ending, byte-order mark)
KITS: Dict[str, Tuple[Tuple[str, str, str, bool], ...]] = {
    "linux": (("collect.sh", "collect.sh", "\n", False), ("README.txt", "README-linux.txt", "\n", False)),
    # cmd.exe needs CRLF (labels and goto misbehave with bare LF); Notepad on XP needs the BOM for UTF-8
    "windows": (("collect.cmd", "collect.cmd", "\r\n", False), ("README.txt", "README-windows.txt", "\r\n", True)),
}


class KitError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def kit_text(name: str) -> str:
    """A packaged kit file with the version filled in (LF line endings)."""
    text = resources.files("ybguard").joinpath("data", "kit", name).read_text(encoding="utf-8")
    return text.replace("@VERSION@", __version__)


def write_kit(os_name: str, out_dir: str) -> List[str]:
    """Write the kit for ``os_name`` into ``out_dir`` (created; an existing non-empty one is refused)."""
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise KitError("cli.kit_exists")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for dest, source, newline, bom in KITS[os_name]:
        text = kit_text(source).replace("\r\n", "\n").replace("\n", newline)
        if os_name == "windows" and dest.endswith(".cmd"):
            data = text.encode("ascii")  # cmd.exe reads a batch file in the OEM code page: ASCII only
        else:
            data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
        path = os.path.join(out_dir, dest)
        with open(path, "wb") as fh:
            fh.write(data)
        if dest.endswith(".sh"):
            os.chmod(path, 0o755)
        written.append(dest)
    return written
