"""Messages of the policy loader written for the mistakes people really make (issue 14 item 12):
full-width punctuation from a Chinese input method, tabs, keys at the wrong indentation, tags
that do not fit, waivers that match nothing. 中文 messages never carry PyYAML's English."""

from __future__ import annotations

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # text written before YAML is parsed
    "policy.lint.tab": (
        "缩进中有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格",
        "a tab in the indentation: YAML indents with spaces only, replace the tab with spaces",
    ),
    "policy.lint.fullwidth_space": (
        "缩进中有全角空格（　）：请改用半角空格",
        "a full-width space (U+3000) in the indentation: use ordinary spaces",
    ),
    "policy.lint.fullwidth_colon": (
        "字段 “{key}” 后面是全角冒号 “：”：请改为半角冒号 “:” 并在其后加一个空格",
        "the key '{key}' is followed by a full-width colon '：' (U+FF1A): use ':' followed by a space",
    ),
    "policy.lint.fullwidth_comma": (
        "列表中有全角逗号 “，”：请改为半角逗号 “,”",
        "a full-width comma '，' (U+FF0C) in a list: use ','",
    ),
    # YAML syntax, in our words; {detail} is PyYAML's English, shown to English readers only
    "policy.yaml.tab": ("此处有制表符（Tab），YAML 只能用空格缩进{detail}",
                        "a tab where YAML allows only spaces{detail}"),
    "policy.yaml.colon": (
        "此处不能出现 “键: 值”：可能是上一行缩进不对，或值里含有 “: ”（请给值加引号）{detail}",
        "a 'key: value' cannot start here: the indentation is off, or a value contains ': ' (quote it){detail}",
    ),
    "policy.yaml.unclosed_list": ("“[” 开始的列表没有用 “]” 结束，或列表项之间缺少逗号{detail}",
                                  "a list opened with '[' is not closed with ']', or a ',' is missing{detail}"),
    "policy.yaml.unclosed_mapping": ("“{{” 开始的映射没有用 “}}” 结束，或项之间缺少逗号{detail}",
                                     "a mapping opened with '{{' is not closed with '}}', or a ',' is missing{detail}"),
    "policy.yaml.no_colon": ("字段名后面缺少冒号 “:”{detail}", "a key without its ':'{detail}"),
    "policy.yaml.indent": (
        "缩进与上面的行不一致：同一层的字段必须左对齐{detail}",
        "the indentation does not match the lines above: keys of one level must line up{detail}",
    ),
    "policy.yaml.alias": ("引用了未定义的锚点（*名称）{detail}", "an alias (*name) that no anchor defines{detail}"),
    "policy.yaml.unclosed_quote": ("引号没有闭合{detail}", "a quote that is never closed{detail}"),
    "policy.yaml.escape": ("双引号字符串中有无效的转义（\\）{detail}", "an invalid escape (\\) in a double-quoted string{detail}"),
    "policy.yaml.bad_char": ("此处有不允许的字符{detail}", "a character that is not allowed here{detail}"),
    "policy.yaml.after_value": ("值后面还有多余的内容{detail}", "something more after a complete value{detail}"),
    "policy.yaml.anchor": ("锚点（&名称）无效或重复{detail}", "an invalid or repeated anchor (&name){detail}"),
    "policy.yaml.other": ("无法解析此处的 YAML{detail}", "{detail}"),
    "policy.too_many_nodes": (
        "YAML 展开后的节点过多（超过 {limit} 个，通常是别名 “*” 嵌套引用造成的）：不是有效的策略文件",
        "the YAML expands to more than {limit} nodes (aliases '*' within aliases): not a policy file",
    ),
    # values
    "policy.found.scalar": ("值", "a value"),
    "policy.bad_tag": (
        "不支持的标签 {tag}（{kind}）：策略中不要写 “!” 标签",
        "the tag {tag} ({kind}) is not supported: a policy uses no '!' tags",
    ),
    "policy.tag_mismatch": (
        "标签 {tag} 与值 {value} 不符：请去掉标签，直接写 true/false 或数字",
        "the tag {tag} does not fit the value {value}: remove the tag and write true/false or the number itself",
    ),
    "policy.surrogate": (
        "文本中有无法编码的字符（{code}，单独的代理码位）：请删除该转义",
        "the text holds a character no encoding can carry ({code}, a lone surrogate): remove that escape",
    ),
    # keys
    "policy.hint.indent_under": (
        "；“{key}” 属于 {parent}: 下面——请把它缩进到 {parent}: 之下",
        "; '{key}' belongs under {parent}: — indent it under {parent}:",
    ),
    "policy.hint.top_level": (
        "；“{key}” 是顶层字段——请去掉它前面的缩进",
        "; '{key}' is a top-level key — remove its indentation",
    ),
    "policy.hint.list_checks": ("；用 ybguard checks 查看所有检查项编号", "; ybguard checks lists every check id"),
    "policy.waiver_no_check": (
        "豁免的 check “{value}” 不匹配任何检查项，它不会豁免任何结果",
        "the waiver's check '{value}' matches no check id, so it would waive nothing",
    ),
    # policy validate
    "policy.warn.waiver_expired": (
        "警告：waivers[{index}]（{check}，{subject}）已于 {expires} 过期，不再豁免任何结果",
        "warning: waivers[{index}] ({check}, {subject}) expired at {expires} and no longer waives anything",
    ),
}
