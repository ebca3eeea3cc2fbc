"""Grammar words of questions (not warehouse vocabulary): ranking, comparison,
grouping, counting, follow-ups, refusals, and words that carry no meaning.

Warehouse vocabulary (metrics, dimensions, values, names) lives in the
semantic model and the warehouse, never here.
"""

from __future__ import annotations

import re

DESC_WORDS = ("最严重", "最好的", "最高", "最多", "最大", "最好", "最强", "最厉害", "最棒", "最牛", "最佳", "第一", "冠军",
              "highest", "most", "top", "best", "largest", "biggest", "greatest", "leading", "maximum", "max")  # fmt: skip
ASC_WORDS = ("最低", "最少", "最小", "最差", "最弱", "垫底", "倒数", "lowest", "least", "fewest", "worst",
             "smallest", "bottom", "minimum")  # fmt: skip
RANK_WORDS = ("position", "standing", "第几名", "排名", "排行", "排序", "名次", "从高到低", "由高到低", "排一下", "排个序", "排第几", "第几",
              "rank", "ranking", "ranked", "sorted", "order by", "highest to lowest")  # fmt: skip

TOP_N = re.compile(r"(?:前|top|排名前|最高的|最多的|best|highest)\s*(\d+)(?:名|位|个|人|强)?")
BOTTOM_N = re.compile(r"(?:后|倒数|bottom|worst|lowest|最低的|最少的)\s*(\d+)(?:名|位|个|人)?")

_NUM_PLAIN = r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
_NUM = r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+)\s*(?P<pct>%|％)?\s*(?P<unit>百万|万|千|k|w|m|元|块|rmb|cny|单|次|人|天|分钟|个)?"
HALF = re.compile(r"(?:低于|少于|小于|不到|不足|less than|under|below)\s*(?:一半|half)")
#: "两次及以上", "3 or more": the comparison follows the number.
SUFFIX_COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_NUM_PLAIN + r"\s*(?:次|天|个|人|单|笔|分)?\s*(?:及以上|或以上|以上|or more|and above|or above)"), ">="),
    (re.compile(_NUM_PLAIN + r"\s*(?:次|天|个|人|单|笔|分)?\s*(?:及以下|或以下|以下|or less|or fewer|and below)"), "<="),
)
COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p + r"\s*[¥￥]?\s*" + _NUM), op)
    for p, op in (
        (r"(?:不少于|不低于|至少|最少|起码|>=|at least|no less than|not less than)", ">="),
        (r"(?:不超过|不高于|至多|最多不超过|<=|at most|no more than|not more than)", "<="),
        (r"(?:超过|高于|大于|多于|超出|过了|>|more than|over|above|greater than|exceeding|exceeds|exceeded)", ">"),
        (r"(?:低于|少于|小于|不到|不足|还不到|<|less than|fewer than|under|below)", "<"),
    )
)
UNITS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "百万": 1_000_000, "m": 1_000_000}

GROUP_WORDS = ("各", "每个", "分别", "按部门", "按照部门", "each", "per ", "by department", "by team", "every department")
COUNT_WORDS = ("多少人", "多少销售", "几个", "多少个", "几个人", "几人", "几位", "多少位", "多少个人", "人数", "how many", "number of",
               "count of", "有几个", "多少名")  # fmt: skip
TOTAL_WORDS = ("加起来", "加在一起", "汇总", "总共", "一共", "合计", "总额", "总计", "总和", "总奖金", "奖金总额", "total", "sum", "altogether",
               "in total", "overall")  # fmt: skip
SHARE_WORDS = ("百分之多少的人", "多少比例的人", "what percent of", "what percentage of", "what share of", "占比", "比例", "百分比", "份额", "占多少", "percentage", "share", "percent of", "proportion")
LIST_WORDS = ("哪几", "哪些", "谁", "名单", "which", "who", "list")
WHO_WORDS = ("的员工", "的人有", "的同事", "employees who", "people who", "reps who", "谁", "哪些人", "哪些员工", "哪些销售", "哪位", "哪个人", "名单", "有哪些", "哪几个", "哪些",
             "who", "which employees", "which reps", "which salespeople", "list", "名字")  # fmt: skip
FOLLOW_UP_WORDS = ("那", "那么", "呢", "and ", "what about", "how about", "and for", "same for", "再看", "换成")

WRITE_PATTERN = re.compile(
    r"\bset\b.+\bto\b|\bchange\b.+\bto\b|把.+(改|设)|(?:加|增加|扣|减|发)\s*\d+(?:\.\d+)?\s*(?:块|元|%)"
    r"|\b(?:give|add|raise|increase|cut)\b.+\b\d+\b"
)
WRITE_WORDS = ("删除", "删掉", "修改", "更新", "插入", "清空", "改成", "改为", "设置为", "drop ", "delete ",
               "update ", "insert ", "truncate", "alter ", "remove all", "modify")  # fmt: skip

#: Words that carry no meaning of their own for coverage (question scaffolding).
FILLER = (
    "请问", "请", "帮我", "帮忙", "给我", "我想知道", "想知道", "查一下", "查询", "查查", "查看", "看一下", "看看", "看下",
    "显示", "列出", "列一下", "统计", "告诉我", "一下", "分别", "各自", "各个", "各", "每个", "每", "按照", "按",
    "的", "了", "是", "有", "吗", "呢", "吧", "啊", "呀", "多少", "几", "什么", "怎么样", "如何", "情况", "数据",
    "都", "在", "和", "与", "及", "以及", "跟", "还有", "中", "里", "里面", "其中", "之中", "个", "人", "名",
    "位", "员", "们", "哪些", "哪个", "哪位", "谁", "这", "那", "那么", "目前", "现在", "当前", "为", "对",
    "一共", "总共", "合计", "总", "共", "分", "排", "最", "前", "后", "高", "低", "多", "少", "大", "小",
    "超过", "高于", "低于", "不到", "没有", "没", "未", "达到", "达", "到", "完成", "能", "可以", "会", "要",
    "得", "被", "把", "给", "从", "至", "到底", "具体", "大概", "一些", "所有", "全部", "整体", "公司",
    "名单", "列表", "明细", "详情", "汇总", "分布", "对比", "比较", "变化", "趋势", "上", "下", "本", "期间",
    "期", "内", "以来", "为止", "至今", "同事", "团队成员", "成员", "占比", "比例", "百分比", "以上", "以下",
    "what", "whats", "what's", "is", "are", "was", "were", "the", "of", "in", "for", "how", "many", "much",
    "who", "which", "show", "me", "list", "give", "did", "does", "do", "a", "an", "by", "per", "each",
    "to", "and", "with", "on", "at", "from", "between", "than", "more", "less", "most", "least", "top",
    "has", "have", "had", "get", "got", "all", "our", "their", "there", "that", "this", "these", "those",
    "please", "can", "you", "tell", "what's", "whose", "be", "it", "its", "so", "far", "as", "or", "not",
    "any", "total", "number", "count", "amount", "value", "level", "rate", "overall", "across", "vs",
    "compare", "comparison", "broken", "down", "split", "grouped", "group", "breakdown", "distribution",
    "during", "over", "under", "above", "below", "at", "least", "same", "period", "month's", "find",
    "highest", "lowest", "best", "worst", "biggest", "smallest", "largest", "rank", "ranked", "ranking",
    "employee", "people", "person", "staff", "member", "members", "everyone", "anyone", "someone",
    "累计", "一共", "拆一下", "构成", "哪个", "高", "对比一下", "vs", "分别是", "各有", "各类", "right", "now",
    "currently", "hold", "held", "based", "went", "go", "spent", "did", "we", "us", "much", "sell", "so", "far",
    "still", "yet", "already", "hasn't", "haven't", "didn't", "were", "been", "being", "got", "gets", "全公司",
    "还有谁", "还", "到今天", "截至目前", "截止到现在", "到目前为止", "截至今天", "咱们", "咱们公司", "company",
    "the company", "公司的", "那边", "那个", "那", "按金额算", "按金额", "金额", "来着", "在哪", "break", "it",
    "企微", "在企微上", "全年", "本部门", "部门里", "客户", "跟客户", "和客户", "clients", "customers", "企业微信上", "麻烦", "帮忙查", "一下子", "有没有", "有没有人", "却", "但", "但是", "而且", "同时", "要发", "发", "拿", "拿到", "获得",
    "人员", "员工们", "里", "哪", "些", "是谁", "列", "列前", "拿得", "年初", "月初", "年底", "月底", "新",
)

#: Common Chinese surnames: a word that may be an unknown person's name starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
    "韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
    "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
