"""The sysfs fixture tree has the kernel's own link loops (net/X/device/net/X/…): never walk it."""

collect_ignore = ["sysfs"]
