"""The sysfs fixture trees contain link cycles, as real sysfs does (block/sda/device -> the SCSI
device that holds block/sda); test collection must not walk into them."""

collect_ignore_glob = ["sysfs-*", "logs"]
