"""Issue 11's property: for every configurator, a default route, a Wi-Fi interface, a DNS server
and a proxy written in *each* supported spelling and location is found. One table, rows =
(what, where/how, files); each image holds only that one violation, so a row that scans
compliant is a hidden spelling — caught by structure, not by luck."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

import pytest
from imagescan import build, outcome, scan

NM = "/etc/NetworkManager/system-connections"
GW = "192.168.7.1"
WIFI_NM = "[connection]\nid=Ward\ntype={t}\ninterface-name=wlan0\n[{s}]\nssid=Ward\n[ipv4]\nmethod=auto\n"
PROXY = "http://192.168.7.3:3128"
PASSWD = "root:x:0:0:root:/root:/bin/bash\nyb:x:1000:1000::/home/yb:/bin/bash\n"

ROUTES: Dict[str, Dict[str, str]] = {
    "netplan gateway4": {"/etc/netplan/01.yaml": f"network:\n  ethernets:\n    eth1:\n      gateway4: {GW}\n"},
    "netplan routes to default (/lib)": {"/lib/netplan/01.yaml": "network:\n  ethernets:\n    eth1:\n      routes:\n"
                                                                f"        - to: default\n          via: {GW}\n"},
    "netplan routes 0.0.0.0/0 (/run)": {"/run/netplan/01.yaml": "network:\n  ethernets:\n    eth1:\n      routes:\n"
                                                               f"        - to: 0.0.0.0/0\n          via: {GW}\n"},
    "NM gateway=": {f"{NM}/up": f"[connection]\nid=up\ntype=ethernet\n[ipv4]\nmethod=manual\naddress1=192.168.7.2/24\n"
                                f"gateway={GW}\n[ipv6]\nmethod=ignore\n"},
    "NM address1=ip,gw (/run)": {"/run/NetworkManager/system-connections/up.nmconnection":
                                 f"[connection]\nid=up\ntype=ethernet\n[ipv4]\nmethod=manual\naddress1=192.168.7.2/24,{GW}\n"},
    "NM route1=0.0.0.0/0 (/usr/lib)": {"/usr/lib/NetworkManager/system-connections/up.nmconnection":
                                       "[connection]\nid=up\ntype=ethernet\n[ipv4]\nmethod=manual\n"
                                       f"address1=192.168.7.2/24\nroute1=0.0.0.0/0,{GW}\n"},
    "NM legacy addresses1=ip;len;gw": {f"{NM}/old": "[connection]\nid=old\ntype=802-3-ethernet\n[ipv4]\nmethod=manual\n"
                                                    f"addresses1=192.168.7.2;24;{GW};\n"},
    "NM legacy [bridge] interface-name": {f"{NM}/br": "[connection]\nid=br\ntype=bridge\n[bridge]\ninterface-name=br1\n"
                                                      "[ipv4]\nmethod=auto\n"},
    "NM [keyfile] path=": {"/etc/NetworkManager/conf.d/p.conf": "[keyfile]\npath=/var/lib/nm\n",
                           "/var/lib/nm/up": f"[connection]\nid=up\ntype=ethernet\n[ipv4]\nmethod=manual\n"
                                             f"address1=192.168.7.2/24,{GW}\n"},
    "ifupdown gateway": {"/etc/network/interfaces": f"iface eth1 inet static\n  address 192.168.7.2/24\n  gateway {GW}\n"},
    "ifupdown dhcp via source": {"/etc/network/interfaces": "source /etc/network/interfaces.d/*\n",
                                 "/etc/network/interfaces.d/eth1": "iface eth1 inet dhcp\n"},
    "ifupdown inet6 accept_ra 2": {"/etc/network/interfaces": "iface eth1 inet6 static\n  address 2001:db8::2/64\n"
                                                              "  accept_ra 2\n"},
    "ifupdown if-up.d hook": {"/etc/network/if-up.d/gw": "#!/bin/sh\n[ \"$IFACE\" = eth1 ] || exit 0\n"
                                                         f"ip route add default via {GW} dev $IFACE\n"},
    "NM dispatcher.d hook": {"/etc/NetworkManager/dispatcher.d/50-gw": "#!/bin/sh\nif [ \"$2\" = up ]; then\n"
                                                                        f"  ip route add default via {GW} dev \"$1\"\nfi\n"},
    "ppp ip-up.d hook": {"/etc/ppp/ip-up.d/route": "#!/bin/sh\nroute add default dev $1\n"},
    "cron @reboot (/etc/cron.d)": {"/etc/cron.d/net": f"SHELL=/bin/sh\n@reboot root ip route add default via {GW}\n"},
    "user crontab": {"/var/spool/cron/crontabs/yb": f"GW={GW}\n*/5 * * * * /sbin/route add default gw $GW\n"},
    "cron.daily script": {"/etc/cron.daily/net": f"#!/bin/sh\nip route replace default via {GW}\n"},
    "ifupdown up ip route": {"/etc/network/interfaces": f"iface eth1 inet manual\n  up ip route add default via {GW}\n"},
    "ifupdown post-up route add": {"/etc/network/interfaces": f"iface eth1 inet manual\n  post-up route add default gw {GW}\n"},
    "ifupdown script it calls": {"/etc/network/interfaces": "iface eth1 inet manual\n  up /usr/local/bin/gw.sh\n",
                                 "/usr/local/bin/gw.sh": f"#!/bin/sh\n[ -n \"$IFACE\" ] && ip ro add default via {GW}\n"},
    "networkd Gateway=": {"/etc/systemd/network/1.network": f"[Match]\nName=eth1\n[Network]\nGateway={GW}\n"},
    "networkd [Route] (/usr/lib)": {"/usr/lib/systemd/network/1.network": f"[Match]\nName=eth1\n[Route]\nGateway={GW}\n"},
    "networkd drop-in (/run)": {"/etc/systemd/network/1.network": "[Match]\nName=eth1\n",
                                "/run/systemd/network/1.network.d/gw.conf": f"[Network]\nGateway={GW}\n"},
    "networkd DHCP=": {"/etc/systemd/network/1.network": "[Match]\nName=eth1\n[Network]\nDHCP=ipv4\n"},
    "networkd IPv6AcceptRA=": {"/etc/systemd/network/1.network": "[Match]\nName=eth1\n[Network]\nIPv6AcceptRA=true\n"},
    "ifcfg GATEWAY=": {"/etc/sysconfig/network-scripts/ifcfg-eth1": f"DEVICE=eth1\nIPADDR=192.168.7.2\nPREFIX=24\nGATEWAY={GW}\n"},
    "ifcfg route-eth1": {"/etc/sysconfig/network-scripts/route-eth1": f"default via {GW} dev eth1\n"},
    "sysconfig/network GATEWAY=": {"/etc/sysconfig/network": f"GATEWAY={GW}\n"},
    "rc.local ip route add": {"/etc/rc.local": f"#!/bin/sh\nip route add default via {GW}\nexit 0\n"},
    "rc.local ip r a": {"/etc/rc.local": f"ip r a default via {GW}\n"},
    "rc.local if/then": {"/etc/rc.local": f"if true; then\n  /sbin/ip route replace default via {GW}\nfi\n"},
    "rc.local variable": {"/etc/rc.local": f"GW={GW}\nip route add 0.0.0.0/0 via \"$GW\"\n"},
    "rc.local net-tools": {"/etc/rc.local": f"route add -net 0.0.0.0 netmask 0.0.0.0 gw {GW}\n"},
    "rc.local sh -c": {"/etc/rc.local": f"sh -c 'ip route add default via {GW}'\n"},
    "enabled unit ExecStart": {"/etc/systemd/system/gw.service": f"[Service]\nExecStart=/usr/sbin/ip route add default via {GW}\n",
                               "/etc/systemd/system/multi-user.target.wants/gw.service": "->../gw.service"},
    "ppp defaultroute": {"/etc/ppp/peers/isp": "/dev/ttyUSB0\ndefaultroute\nuser hospital\n"},
    "openvpn redirect-gateway": {"/etc/openvpn/client/c.conf": "client\ndev tun0\nremote 192.0.2.9\nredirect-gateway\n"},
    "wireguard AllowedIPs 0.0.0.0/0": {"/etc/wireguard/wg0.conf": "[Interface]\nAddress=10.9.0.2/24\n"
                                                                 "[Peer]\nAllowedIPs = 0.0.0.0/0\n"},
}

# Split defaults are no default route, but a public route all the same.
PUBLIC: Dict[str, Dict[str, str]] = {
    "openvpn redirect-gateway def1": {"/etc/openvpn/client/c.conf": "client\ndev tun0\nredirect-gateway def1\n"},
    "rc.local split default": {"/etc/rc.local": f"ip route add 0.0.0.0/1 via {GW}\nip route add 128.0.0.0/1 via {GW}\n"},
}

WIFI: Dict[str, Dict[str, str]] = {
    "netplan wifis": {"/etc/netplan/01.yaml": "network:\n  wifis:\n    wlan0:\n      dhcp4: true\n"
                                             "      access-points:\n        Ward: {}\n"},
    "NM type=wifi": {f"{NM}/w": WIFI_NM.format(t="wifi", s="wifi")},
    "NM type=802-11-wireless": {f"{NM}/w": WIFI_NM.format(t="802-11-wireless", s="802-11-wireless")},
    "ifupdown wpa-ssid": {"/etc/network/interfaces": "iface wlan0 inet dhcp\n  wpa-ssid Ward\n"},
    "wpa_supplicant-IF.conf": {"/etc/wpa_supplicant/wpa_supplicant-wlan0.conf": "network={\n ssid=\"Ward\"\n}\n"},
    "iwd known network": {"/var/lib/iwd/Ward.psk": "[Security]\n"},
    "hostapd": {"/etc/hostapd/hostapd.conf": "interface=wlan0\nssid=Ward\n"},
    "networkd Type=wlan": {"/etc/systemd/network/w.network": "[Match]\nType=wlan\n[Network]\nDHCP=yes\n"},
    "networkd Name=wl*": {"/etc/systemd/network/w.network": "[Match]\nName=wlp2s0\n[Network]\nDHCP=ipv4\n"},
    "ifcfg TYPE=Wireless": {"/etc/sysconfig/network-scripts/ifcfg-wlan0": "DEVICE=wlan0\nTYPE=Wireless\nBOOTPROTO=dhcp\n"},
}

DNS: Dict[str, Dict[str, str]] = {
    "resolv.conf": {"/etc/resolv.conf": "nameserver 223.5.5.5\n"},
    "resolvconf base": {"/etc/resolvconf/resolv.conf.d/base": "nameserver 223.5.5.5\n"},
    "netplan nameservers": {"/etc/netplan/01.yaml": "network:\n  ethernets:\n    eth0:\n      nameservers:\n"
                                                   "        addresses: [223.5.5.5]\n"},
    "NM dns=": {f"{NM}/e": "[connection]\nid=e\ntype=ethernet\ninterface-name=eth0\n[ipv4]\nmethod=manual\n"
                           "address1=10.88.0.2/24\ndns=223.5.5.5;\n[ipv6]\nmethod=ignore\n"},
    "NM global-dns-domain": {"/etc/NetworkManager/conf.d/dns.conf": "[global-dns-domain-*]\nservers=223.5.5.5\n"},
    "ifupdown dns-nameservers": {"/etc/network/interfaces": "iface eth0 inet static\n  address 10.88.0.2/24\n"
                                                            "  dns-nameservers 223.5.5.5\n"},
    "networkd DNS=": {"/etc/systemd/network/1.network": "[Match]\nName=eth0\n[Network]\nAddress=10.88.0.2/24\n"
                                                        "DNS=223.5.5.5\nIPv6AcceptRA=no\n"},
    "networkd drop-in DNS=": {"/etc/systemd/network/1.network": "[Match]\nName=eth0\n[Network]\nAddress=10.88.0.2/24\n"
                                                                "IPv6AcceptRA=no\n",
                              "/etc/systemd/network/1.network.d/dns.conf": "[Network]\nDNS=223.5.5.5\n"},
    "resolved.conf DNS=": {"/etc/systemd/resolved.conf": "[Resolve]\nDNS=223.5.5.5\n"},
    "resolved.conf.d (/usr/lib)": {"/usr/lib/systemd/resolved.conf.d/v.conf": "[Resolve]\nFallbackDNS=223.5.5.5\n"},
    "ifcfg DNS1": {"/etc/sysconfig/network-scripts/ifcfg-eth0": "DEVICE=eth0\nIPADDR=10.88.0.2\nPREFIX=24\nDNS1=223.5.5.5\n"},
    "dnsmasq server=": {"/etc/dnsmasq.conf": "server=223.5.5.5\n"},
    "NM dnsmasq.d": {"/etc/NetworkManager/dnsmasq.d/up.conf": "server=/#/223.5.5.5\n"},
    "dnsmasq resolv-file=": {"/etc/dnsmasq.d/r.conf": "resolv-file=/etc/dnsmasq.resolv\n",
                             "/etc/dnsmasq.resolv": "nameserver 223.5.5.5\n"},
    "unbound forward-addr": {"/etc/unbound/unbound.conf": "forward-zone:\n  name: \".\"\n  forward-addr: 223.5.5.5\n"},
    "BIND forwarders": {"/etc/bind/named.conf.options": "options {\n  forwarders { 223.5.5.5; };\n};\n"},
    "wireguard DNS=": {"/etc/wireguard/wg0.conf": "[Interface]\nAddress=10.9.0.2/24\nDNS=223.5.5.5\n"},
    "openvpn dhcp-option DNS": {"/etc/openvpn/c.conf": "client\ndev tun0\ndhcp-option DNS 223.5.5.5\n"},
}

PROXIES: Dict[str, Dict[str, str]] = {
    "/etc/environment": {"/etc/environment": f"http_proxy={PROXY}\n"},
    "environment.d": {"/etc/environment.d/90-proxy.conf": f"HTTPS_PROXY={PROXY}\n"},
    "profile.d": {"/etc/profile.d/proxy.sh": f"export http_proxy={PROXY}\n"},
    "/etc/profile": {"/etc/profile": f"if true; then\n  export https_proxy={PROXY}\nfi\n"},
    "/etc/bash.bashrc": {"/etc/bash.bashrc": f"[ -n \"$PS1\" ] && export ALL_PROXY={PROXY}\n"},
    "pam_env.conf": {"/etc/security/pam_env.conf": f"http_proxy DEFAULT={PROXY}\n"},
    "user .bashrc": {"/etc/passwd": PASSWD, "/home/yb/.bashrc": f"export http_proxy={PROXY}\n"},
    "user .profile (root)": {"/etc/passwd": PASSWD, "/root/.profile": f"https_proxy={PROXY}; export https_proxy\n"},
    "user .pam_environment": {"/etc/passwd": PASSWD, "/home/yb/.pam_environment": f"ftp_proxy DEFAULT={PROXY}\n"},
    "apt.conf.d": {"/etc/apt/apt.conf.d/01proxy": f"Acquire::http::Proxy \"{PROXY}\";\n"},
    "dnf.conf": {"/etc/dnf/dnf.conf": f"[main]\nproxy={PROXY}\n"},
    "dconf": {"/etc/dconf/db/local.d/00-proxy": "[system/proxy]\nmode='manual'\n[system/proxy/http]\nhost='192.168.7.3'\n"},
}

CASES: Tuple[Tuple[str, str, Dict[str, str]], ...] = tuple(
    [("network.default-route", name, files) for name, files in ROUTES.items()]
    + [("network.public-route", name, files) for name, files in PUBLIC.items()]
    + [("network.forbidden-interface", name, files) for name, files in WIFI.items()]
    + [("network.dns", name, files) for name, files in DNS.items()]
    + [("network.proxy", name, files) for name, files in PROXIES.items()])


@pytest.mark.parametrize("check, name, files", CASES, ids=[f"{c.split('.')[1]}: {n}" for c, n, _f in CASES])
def test_each_spelling_and_location_is_found(tmp_path: Path, check: str, name: str, files: Dict[str, str]) -> None:
    got = outcome(scan(build(tmp_path, files)))
    assert got[check].get("fail"), f"{name}: {check} did not fail: {got[check]}"
    if check == "network.forbidden-interface":
        assert not got[check].get("error")
