"""Messages of deployment (policy init, partial outputs) and of the watch's own event sources."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "cli.outputs_lost": ("{total} 个输出中有 {n} 个未能写入：{paths}（其余已写入）",
                         "{n} of {total} outputs could not be written: {paths} (the others were written)"),
    "cli.init_exists": ("{path} 已存在，未覆盖（要替换请加 --force）",
                        "{path} exists and was not overwritten (use --force to replace it)"),
    "cli.show_into_itself": ("标准输出被重定向到了要读取的策略文件 {path}，shell 已先把它清空。"
                             "请用 ybguard policy init {path} 生成策略文件",
                             "standard output is redirected into the policy file it reads ({path}), which the shell "
                             "emptied first; write a policy with: ybguard policy init {path}"),
    "cli.init_written": ("已写入策略 {path}（{id}）：请填写标有【必填】的字段，再运行 ybguard policy validate {path}",
                         "wrote policy {path} ({id}): fill in the fields marked 【必填 / fill in】, then run "
                         "ybguard policy validate {path}"),
    # ybguard watch: its kernel event sources
    "watch.sources": ("U盘接入通知（uevent）：{usb}；进程启动通知（process connector）：{processes}",
                      "USB storage events (uevent): {usb}; process start events (process connector): {processes}"),
    "watch.source_disabled": ("未启用", "not requested"),
    "watch.dropped": ("{source} 事件有遗漏：队列满丢弃 {dropped} 条，内核缓冲区溢出 {overruns} 次（已重新读取当前状态）",
                      "{source} events were lost: {dropped} dropped (queue full), {overruns} kernel buffer "
                      "overruns (the current state was re-read)"),
    "watch.counts": ("{source}：收到 {received} 条事件，丢弃 {dropped} 条，内核溢出 {overruns} 次",
                     "{source}: {received} events received, {dropped} dropped, {overruns} kernel overruns"),
    "watch.vanished": ("{n} 个进程在读取 /proc 之前已退出（存在不到约 1 毫秒，无法得知其名称）",
                       "{n} processes exited before /proc could be read (they lived for about a millisecond or less; "
                       "their names are unknown)"),
}
