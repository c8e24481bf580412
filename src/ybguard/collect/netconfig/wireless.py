"""Wi-Fi clients and access points: wpa_supplicant, iwd, hostapd."""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

from ...facts.network import Interface, InterfaceKind, SharedConnection
from ...target.interface import Target
from ..syntax.errors import where
from .model import (
    SECRET_KEYS,
    ConfigError,
    NetConfig,
    merge,
    per_file,
)


def wpa_interface_name(path: str) -> str:
    """wpa_supplicant@IF.service reads wpa_supplicant-IF.conf (also -nl80211-IF, -wired-IF)."""
    base = os.path.basename(path)
    m = re.fullmatch(r"wpa_supplicant-(?:nl80211-|wired-)?(.+)\.conf", base)
    return m.group(1) if m else "wlan (wpa_supplicant)"


def parse_wpa_supplicant(path: str, text: str) -> NetConfig:
    """``network={…}`` blocks: a configured wireless network (mode=2 is an access point)."""
    networks: List[Tuple[int, Dict[str, str]]] = []
    current: Optional[Dict[str, str]] = None
    blob = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if blob:
            blob = line != "}"  # blob-base64-NAME={ … }: base64 lines up to the closing brace
            continue
        if re.fullmatch(r"blob-base64-[^=\s]+\s*=\s*\{", line):
            blob = True
            continue
        if re.fullmatch(r"network\s*=\s*\{", line):
            current = {}
            networks.append((n, current))
        elif line == "}":
            if current is None:
                raise ConfigError(where(path, n), "'}' without network={")
            current = None
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            if not SECRET_KEYS.fullmatch(key.strip()):
                current[key.strip()] = value.strip()
    if current is not None:
        raise ConfigError(path, "network={ block is not closed")
    if not networks or os.path.basename(path).startswith("wpa_supplicant-wired-"):
        return NetConfig()
    name = wpa_interface_name(path)
    ssids = [net.get("ssid", "").strip('"') for _n, net in networks]
    iface = Interface(name=name, kind=InterfaceKind.WIRELESS, up=None,
                      why=(("wpa_supplicant", f"{len(networks)} network(s): {', '.join(s for s in ssids if s)}"),),
                      source=where(path, networks[0][0]), configured=True)
    shared = tuple(SharedConnection(name=net.get("ssid", "").strip('"') or name, how="wpa_supplicant mode=2 (AP)",
                                    interface=name, source=where(path, n))
                   for n, net in networks if net.get("mode") == "2")
    return NetConfig(interfaces=(iface,), shared=shared)


IWD_DIR = "/var/lib/iwd"
IWD_SUFFIXES = (".psk", ".open", ".8021x")


def iwd_ssid(file_name: str) -> str:
    """iwd names a network file by its SSID, or "=" + hex when the SSID is not plain text."""
    stem = file_name.rsplit(".", 1)[0]
    if stem.startswith("="):
        try:
            return bytes.fromhex(stem[1:]).decode("utf-8", "replace")
        except ValueError:
            return stem
    return stem


def parse_iwd_networks(names: Sequence[str]) -> NetConfig:
    """iwd's known networks (file names only: the files hold secrets): a configured Wi-Fi client."""
    ssids = sorted(iwd_ssid(n) for n in names if n.endswith(IWD_SUFFIXES) and not n.startswith("."))
    if not ssids:
        return NetConfig()
    iface = Interface(name="wlan (iwd)", kind=InterfaceKind.WIRELESS, up=None,
                      why=(("iwd", f"{len(ssids)} known network(s): {', '.join(ssids)}"),),
                      source=IWD_DIR, configured=True)
    return NetConfig(interfaces=(iface,))


def parse_hostapd(path: str, text: str) -> NetConfig:
    values: Dict[str, Tuple[str, int]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), (value.strip(), n))
    if "interface" not in values:
        return NetConfig()
    name, line_no = values["interface"]
    ssid = values.get("ssid", (values.get("ssid2", ("", 0))[0], 0))[0]
    iface = Interface(name=name, kind=InterfaceKind.WIRELESS, up=None, master=values.get("bridge", ("", 0))[0],
                      why=(("hostapd", "access point"),), source=where(path, line_no), configured=True)
    return NetConfig(interfaces=(iface,), shared=(SharedConnection(name=ssid or name, how="hostapd", interface=name,
                                                                   source=where(path, line_no)),))


def read_wireless(target: Target) -> NetConfig:
    return merge([
        per_file(target, "/etc/wpa_supplicant/*.conf", parse_wpa_supplicant, affects=("interfaces", "shared")),
        parse_iwd_networks([n for n in target.listdir(IWD_DIR) if not target.is_dir(f"{IWD_DIR}/{n}")]),
        per_file(target, "/etc/hostapd/*.conf", parse_hostapd, affects=("interfaces", "shared")),
    ])
