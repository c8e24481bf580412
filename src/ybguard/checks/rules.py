"""The regulation clauses checks cite, written once.

Sources: 医保联网计算机信息安全管理制度 and the 注意事项 of the 医保 network.
"""

ISOLATION = "医保联网计算机信息安全管理制度：专网专用，医保专网与互联网物理隔离"
NO_EXTENSION = "医保联网计算机信息安全管理制度：不得擅自扩展医保网络（共享、桥接、转发）"
NO_REMOVABLE_MEDIA = "医保网络注意事项：禁止使用U盘、移动硬盘、光盘向医保终端拷贝文件"
SOFTWARE_ONLY_YB = "医保网络注意事项：医保终端不得安装医保应用以外的软件"
PASSWORDS = "医保联网计算机信息安全管理制度：设置开机及系统口令，口令不少于8位并定期更换"
NO_DATE_CHANGE = "医保网络注意事项：不得私自更改系统日期"
BACKUPS = "医保联网计算机信息安全管理制度：重要数据多份备份，存放于不同磁盘"
INTEGRITY = "医保联网计算机信息安全管理制度：不得修改、删除医保系统文件；终端不得擅自改接、搬迁"
TEMPORARY_ACCESS = "医保联网计算机信息安全管理制度：临时联网须经批准，用毕立即断开"
ANTIVIRUS = "医保定点机构接入要求：终端安装防病毒软件并及时更新病毒库"
PATCHES = "医保定点机构接入要求：终端及时安装操作系统安全补丁"
DJBH = "网络安全等级保护基本要求（GB/T 22239-2019）安全计算环境"  # for checks no 医保 rule covers
