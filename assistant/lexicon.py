"""Grammar words of questions (not warehouse vocabulary): ranking, comparison,
grouping, counting, follow-ups, refusals, and words that carry no meaning.

Warehouse vocabulary (metrics, dimensions, values, names) lives in the
semantic model and the warehouse, never here.
"""

from __future__ import annotations

import re

from assistant.operators import word_pattern

DESC_WORDS = ("最严重", "最好的", "最高", "最多", "最大", "最好", "最强", "最厉害", "最棒", "最牛", "最佳", "第一", "第1名", "第1", "排第1", "排名第1", "冠军",
              "highest", "most", "top", "best", "largest", "biggest", "greatest", "leading", "maximum", "max",
              "number 1", "no 1")  # fmt: skip
ASC_WORDS = ("最低", "最少", "最小", "最差", "最弱", "垫底", "倒数", "lowest", "least", "fewest", "worst",
             "smallest", "bottom", "minimum")  # fmt: skip
RANK_WORDS = ("position", "standing", "第几名", "排名", "排行", "排序", "名次", "从高到低", "由高到低", "排一下", "排个序", "排第几", "第几",
              "rank", "ranking", "ranked", "sorted", "order by", "highest to lowest")  # fmt: skip

TOP_N = re.compile(r"(?:前|top|排名前|最高的|最多的|best|highest)\s*(\d+)(?:名|位|个|人|强)?")
BOTTOM_N = re.compile(r"(?:后|倒数|bottom|worst|lowest|最低的|最少的)\s*(\d+)(?:名|位|个|人)?")

#: A yes/no question about everyone (是不是每个人都达标了, did everyone reach their minimum):
#: answered with the exceptions.
EVERYONE_ASKED = re.compile(
    r"是不是(?:每个人|所有人|大家|全员|都)|是否(?:每个人|所有人|大家|全员)?都"
    r"|(?:每个人|所有人|大家|全员)都.{0,16}(?:了吗|吗)"
    r"|\b(?:did|has|have|is|are|was|were) (?:everyone|everybody|all of them|they all)\b"
)
#: A yes/no question about anyone (有没有人…, did anyone…): answered with who, or "nobody".
#: A question that ends by naming people (上个月入职的新人, 离职的员工): the people, listed.
PEOPLE_NAMED = re.compile(
    r"(?:的|了)(?:新人|新同事|员工|同事|人员|人)$|\b(?:people|employees|staff|who)$"
)

ANYONE_ASKED = re.compile(
    r"有没有人|是否有人|有人.{0,16}吗|\b(?:did|has|have|is|was|were) (?:anyone|anybody|someone)\b"
    r"|\bare there any\b|\bis there anyone\b"
)

_BIG = r"最大|最高|最贵|金额最大|金额最高"
_SMALL = r"最小|最低|最便宜|金额最小|金额最低"
_RECENT = r"最近|最新|最后"
#: Single orders listed rather than summed: 最大的5笔订单, 金额最高的一笔, 单笔最大的订单,
#: 最近的3笔退款, the 5 biggest orders, the largest single deal, the last 3 orders. The
#: named group ``sup`` is the ranking word, ``n`` the count (absent: one or a few).
RECORDS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"单笔(?:金额)?(?P<sup>{_BIG}|{_SMALL})"),
    re.compile(rf"(?P<sup>{_BIG}|{_SMALL}|{_RECENT})的?\s*(?P<n>\d+|几)?\s*笔"),
    re.compile(rf"(?P<n>\d+|几)\s*笔(?:金额)?(?P<sup>{_BIG}|{_SMALL}|{_RECENT})"),
    re.compile(
        rf"(?P<sup>{_BIG}|{_SMALL}|{_RECENT})的\s*(?P<n>\d+|几)?\s*(?:个|张)?(?:订单|单子|大单|退款单)"
    ),
    re.compile(
        r"\b(?:(?P<n>\d+)\s+)?(?P<sup>biggest|largest|smallest|latest|most recent|newest|last)"
        r"\s+(?:(?P<n2>\d+)\s+)?(?:single\s+)?(?:[a-z-]+\s+)?(?P<noun>orders?|deals?|refunds?|transactions?)\b"
    ),
    re.compile(
        r"\btop\s+(?P<n>\d+)\s+(?P<noun>orders|deals|refunds)\s+by\s+(?:amount|value|size)\b"
    ),
)
RECORD_SMALL = re.compile(rf"{_SMALL}|smallest")
RECORD_RECENT = re.compile(rf"{_RECENT}|latest|most recent|newest|last")

_NUM_PLAIN = r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
_NUM = r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+)\s*(?P<pct>%|％)?\s*(?P<unit>百万|万|千|k|w|m|元|块|rmb|cny|单|次|人|天|分钟|个)?"
HALF = re.compile(r"(?:低于|少于|小于|不到|不足|less than|under|below)\s*(?:一半|half)")
#: "两次及以上", "3 or more": the comparison follows the number.
SUFFIX_COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            _NUM_PLAIN
            + r"\s*(?:次|天|个|人|单|笔|分)?\s*(?:及以上|或以上|以上|or more|and above|or above)"
        ),
        ">=",
    ),
    (
        re.compile(
            _NUM_PLAIN
            + r"\s*(?:次|天|个|人|单|笔|分)?\s*(?:及以下|或以下|以下|or less|or fewer|and below)"
        ),
        "<=",
    ),
)
COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p + r"\s*[¥￥]?\s*" + _NUM), op)
    for p, op in (
        (r"(?:不少于|不低于|至少|最少|起码|>=|at least|no less than|not less than)", ">="),
        (r"(?:不超过|不高于|至多|最多不超过|<=|at most|no more than|not more than)", "<="),
        (
            r"(?:超过|高于|大于|多于|超出|过了|>|more than|over|above|greater than|exceeding|exceeds|exceeded)",
            ">",
        ),
        (r"(?:低于|少于|小于|不到|不足|还不到|<|less than|fewer than|under|below)", "<"),
    )
)
UNITS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "百万": 1_000_000, "m": 1_000_000}

#: An amount of money: 5万, 50k, 8万块, 80000 (after normalising 80,000), 十万, 1.5万元.
AMOUNT = (
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:万[零〇一二两三四五六七八九十百千]*)?)"
    r"\s*(?P<unit>百万|万|千|k|w|m)?\s*(?:块钱|块|元|rmb|cny|yuan)?"
)
#: Extra sales in a what-if (再卖5万, 多签十万块, another 80k, 50k more); ``num`` and
#: ``unit`` are the amount. Latin words are whole words, next to Chinese too.
EXTRA_SALES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:再|多|额外|另外)多?(?:卖出|卖|签下|签|成交|拿下|做|跑|开)了?\s*" + AMOUNT),
    re.compile(
        r"(?<![a-z0-9])(?:another|an extra|extra|additional|a further)\s+(?:¥|rmb|cny)?\s*"
        + AMOUNT
        + r"(?![a-z0-9])"
    ),
    re.compile(r"(?<![a-z0-9.])" + AMOUNT + r"\s+(?:more|extra)(?![a-z0-9])"),
)
#: How much more is needed (还差多少, 还要卖多少, how much more ... need): with a bonus
#: named, or no other goal, the least extra sales that make the person bonus eligible.
HOW_MUCH_MORE = re.compile(
    r"还差多少|还差|差多少|还要卖多少|还需要卖多少|还得卖多少|需要卖多少|要卖多少|再卖多少|多卖多少"
    r"|还需要多少|还要多少|(?<![a-z])(?:how much more|how far)(?![a-z])"
    r"|(?<![a-z])how much (?:do|does|would|will|must|should) \w+ (?:still )?(?:need|have) to(?![a-z])"
)
#: Words of a need (还差, 才能, need to): a "how much" that looks forward, not a comparison.
NEEDED = re.compile(
    r"还差|还要|还需|还得|需要|才能|才可以|才够|(?<![a-z])(?:needs?|have to|has to)(?![a-z])"
)

GROUP_WORDS = (
    "各",
    "每个",
    "分别",
    "按部门",
    "按照部门",
    "each",
    "per ",
    "by department",
    "by team",
    "every department",
)
COUNT_WORDS = ("几条", "多少条", "有多少", "多少人", "多少销售", "几个", "多少个", "几个人", "几人", "几位", "多少位", "多少个人", "人数", "how many", "number of",
               "count of", "有几个", "多少名")  # fmt: skip
TOTAL_WORDS = ("加起来", "加在一起", "汇总", "总共", "一共", "合计", "总额", "总计", "总和", "总奖金", "奖金总额", "total", "sum", "altogether",
               "in total", "overall")  # fmt: skip
SHARE_WORDS = (
    "百分之多少的人",
    "多少比例的人",
    "what percent of",
    "what percentage of",
    "what share of",
    "占比",
    "比例",
    "百分比",
    "达标率",
    "达标比例",
    "pass rate",
    "份额",
    "占多少",
    "percentage",
    "share",
    "percent of",
    "proportion",
)
LIST_WORDS = ("哪几", "哪些", "谁", "名单", "which", "who", "list")
WHO_WORDS = ("的员工", "的人有", "的同事", "employees who", "people who", "reps who", "谁", "哪些人", "哪些员工", "哪些销售", "哪位", "哪个人", "名单", "有哪些", "哪几个", "哪些",
             "who", "which employees", "which reps", "which salespeople", "list", "名字")  # fmt: skip

WRITE_PATTERN = re.compile(
    r"\bset\b.+\bto\b|\bchange\b.+\bto\b|把.+(改|设)|(?:加|增加|扣|减|发)\s*\d+(?:\.\d+)?\s*(?:块|元|%)"
    r"|\b(?:give|add|raise|increase|cut)\b.+\b\d+\b"
)
WRITE_WORDS = ("删除", "删掉", "修改", "更新", "插入", "清空", "改成", "改为", "设置为", "加薪", "涨薪", "涨工资", "加工资", "降薪", "调薪", "扣工资", "扣奖金",
               "发通知", "发个通知", "发消息", "发个消息", "企微通知", "企业微信通知", "通知一下", "提醒他们", "提醒一下",
               "drop ", "delete ", "update ", "insert ", "truncate", "alter ", "remove all", "modify",
               "send a message", "send them", "notify", "remind them", "give a raise")  # fmt: skip
#: "To date" markers (截至今天, 到目前为止): the period is the current one, measured so far;
#: they name no day of their own.
TO_DATE = re.compile(
    r"截至今天|截止今天|截止到今天|截至到今天|到今天为止|截至目前|截止目前|截至现在|截止现在|到目前为止"
    r"|(?<!年初)(?<!今年)(?<!以来)(?:到目前|到现在为止|到现在)"
)

#: Metric words too generic to choose a metric when a more specific one is named (they
#: name a unit: 天数 of leave, 次数 of visits, people counted).
GENERIC_METRIC_WORDS = frozenset(
    ("多少人", "几个人", "人数", "天数", "次数", "几次", "多少次", "days", "times", "people", "staff", "employees",
     "customers", "客户数", "score", "得分", "评分", "评级", "订单", "orders", "绩效", "员工", "有多少员工", "几个员工")
)  # fmt: skip

#: Words that carry no meaning of their own for coverage (question scaffolding).
FILLER = (
    "请问",
    "请",
    "帮我",
    "帮忙",
    "给我",
    "我想知道",
    "想知道",
    "查一下",
    "查询",
    "查查",
    "查看",
    "看一下",
    "看看",
    "看下",
    "显示",
    "列出",
    "列一下",
    "统计",
    "告诉我",
    "一下",
    "分别",
    "各自",
    "各个",
    "各",
    "每个",
    "每",
    "按照",
    "按",
    "的",
    "了",
    "是",
    "有",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "多少",
    "几",
    "什么",
    "怎么样",
    "如何",
    "情况",
    "数据",
    "都",
    "在",
    "和",
    "与",
    "及",
    "以及",
    "跟",
    "还有",
    "中",
    "里",
    "里面",
    "其中",
    "之中",
    "个",
    "人",
    "名",
    "位",
    "员",
    "们",
    "哪些",
    "哪个",
    "哪位",
    "谁",
    "这",
    "那",
    "那么",
    "目前",
    "现在",
    "当前",
    "为",
    "对",
    "一共",
    "总共",
    "合计",
    "总",
    "共",
    "分",
    "排",
    "最",
    "前",
    "后",
    "高",
    "低",
    "多",
    "少",
    "大",
    "小",
    "超过",
    "高于",
    "低于",
    "不到",
    "没有",
    "没",
    "未",
    "达到",
    "达",
    "到",
    "完成",
    "能",
    "可以",
    "会",
    "要",
    "得",
    "被",
    "把",
    "给",
    "从",
    "至",
    "到底",
    "具体",
    "大概",
    "一些",
    "所有",
    "全部",
    "整体",
    "公司",
    "名单",
    "列表",
    "明细",
    "详情",
    "汇总",
    "分布",
    "对比",
    "比较",
    "变化",
    "趋势",
    "上",
    "下",
    "本",
    "期间",
    "期",
    "内",
    "以来",
    "为止",
    "至今",
    "同事",
    "团队成员",
    "成员",
    "占比",
    "比例",
    "百分比",
    "以上",
    "以下",
    "what",
    "whats",
    "what's",
    "is",
    "are",
    "was",
    "were",
    "the",
    "of",
    "in",
    "for",
    "how",
    "many",
    "much",
    "who",
    "which",
    "show",
    "me",
    "list",
    "give",
    "did",
    "does",
    "do",
    "a",
    "an",
    "by",
    "per",
    "each",
    "to",
    "and",
    "with",
    "on",
    "at",
    "from",
    "between",
    "than",
    "more",
    "less",
    "most",
    "least",
    "top",
    "has",
    "have",
    "had",
    "get",
    "got",
    "all",
    "our",
    "their",
    "there",
    "that",
    "this",
    "these",
    "those",
    "please",
    "can",
    "you",
    "tell",
    "what's",
    "whose",
    "be",
    "it",
    "its",
    "so",
    "far",
    "as",
    "or",
    "not",
    "any",
    "total",
    "number",
    "count",
    "amount",
    "value",
    "level",
    "rate",
    "overall",
    "across",
    "vs",
    "compare",
    "comparison",
    "broken",
    "down",
    "split",
    "grouped",
    "group",
    "breakdown",
    "distribution",
    "during",
    "over",
    "under",
    "above",
    "below",
    "at",
    "least",
    "same",
    "period",
    "month's",
    "find",
    "highest",
    "lowest",
    "best",
    "worst",
    "biggest",
    "smallest",
    "largest",
    "rank",
    "ranked",
    "ranking",
    "employee",
    "people",
    "person",
    "staff",
    "member",
    "members",
    "everyone",
    "anyone",
    "someone",
    "累计",
    "一共",
    "拆一下",
    "构成",
    "哪个",
    "高",
    "对比一下",
    "对比下",
    "放一起",
    "放在一起",
    "vs",
    "分别是",
    "各有",
    "各类",
    "right",
    "now",
    "currently",
    "hold",
    "held",
    "based",
    "went",
    "came",
    "come",
    "comes",
    "whole",
    "go",
    "spent",
    "did",
    "we",
    "us",
    "much",
    "sell",
    "so",
    "far",
    "still",
    "yet",
    "already",
    "hasn't",
    "haven't",
    "didn't",
    "were",
    "been",
    "being",
    "got",
    "gets",
    "全公司",
    "还有谁",
    "还",
    "到今天",
    "截至目前",
    "截止到现在",
    "到目前为止",
    "截至今天",
    "咱们",
    "咱们公司",
    "company",
    "the company",
    "公司的",
    "那边",
    "那个",
    "那",
    "按金额算",
    "按金额",
    "金额",
    "来着",
    "在哪",
    "break",
    "it",
    "企微",
    "在企微上",
    "全年",
    "本部门",
    "部门里",
    "的时候",
    "时候",
    "那天",
    "当天",
    # pronouns and modal verbs: the person or time they stand for is read elsewhere
    "he",
    "she",
    "her",
    "his",
    "him",
    "they",
    "them",
    "will",
    "would",
    "should",
    "could",
    "might",
    "客户",
    "跟客户",
    "和客户",
    "clients",
    "customers",
    "企业微信上",
    "麻烦",
    "帮忙查",
    "一下子",
    "有没有",
    "有没有人",
    "却",
    "但",
    "但是",
    "而且",
    "同时",
    "要发",
    "发",
    "拿",
    "拿到",
    "获得",
    "人员",
    "员工们",
    "里",
    "哪",
    "些",
    "是谁",
    "列",
    "列前",
    "拿得",
    "年初",
    "月初",
    "年底",
    "月底",
    "新",
    "汇报",
    "下属",
    "名下",
    "大家的",
    "向",
    "reports to",
    "report to",
    "reporting to",
    "works for",
    "working for",
    "directly",
    "close",
    "closed",
    "closes",
    "signed",
    "签了",
    "签下",
    "签",
    "钱",
    "块钱",
    "元",
    "天",
    "次",
    "人次",
    "条",
    "分钟",
    "钟",
    "已经",
    "数",
    "来",
    "带来",
    "手下",
    "下面",
    "大家",
    "在职",
    "带上",
    "带",
    "看",
    "算",
    "出了",
    "有的话",
    "的话",
    "够得上",
    "够",
    "哈",
    "哦",
    "呗",
    "嘛",
    "噢",
    "喔",
    "哇",
    "谢谢",
    "多谢",
    "打了",
    "打",
    "批了",
    "跑",
    "达成",
    "中间水平",
    "因为",
    "因",
    "拖后腿",
    "company-wide",
    "company wide",
    "wide",
    "current",
    "counts",
    "log",
    "logged",
    "owned",
    "brought",
    "land",
    "moved",
    "minutes",
    "am",
    "where",
    "hit",
    "met",
    "meet",
    "meets",
    "beat",
    "earned",
    "earn",
    "earns",
    "made",
    "make",
    "reached",
    "reach",
    "qualified",
    "qualify",
    "paid out",
    "paid",
    "was paid",
    "finished",
    "ahead",
    "thanks",
    "thx",
    "pls",
    "plz",
    "payout",
    "rosters",
    "roster",
    "跑赢",
    "发我",
    "发给我",
    "发一下",
    "发下",
    "给我发",
    "做了",
    "做",
    "用了",
    "用",
    "辛苦",
    "辛苦统计下",
    "hitting",
    "performer",
    "top performer",
    "members",
    "member",
    "您好",
    "你好",
    "问",
    "问下",
    "咋样",
    "啥",
    "进",
    "进来",
    "still",
    "off",
    "wecom",
    "双目标",
    "双重目标",
    "dual-target",
    "dual target",
    "ppl",
    "folks",
    "假",
    "休",
    "过",
    "成交",
    "消息",
    "这条线",
    "条线",
    "全",
    "顺便",
    "走势",
    "好",
    "扣",
    "截至",
    "截止",
    "姓名",
    "单",
    "doing",
    "figure",
    "took",
    "take",
    "taken",
    "taking",
    "bring",
    "brought in",
    "拉",
    "上班",
    "考核",
    "值",
    "远",
    "直属",
    "getting",
    "got",
)

#: Common Chinese surnames: a word that may be an unknown person's name starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
    "韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
    "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


#: The whole company named as one group (全公司的中位数): the median has none, it is per team.
WHOLE_COMPANY = ("全公司", "整个公司", "公司整体", "全公司的", "company-wide", "company wide", "whole company",
                 "entire company", "across the company", "company median", "overall median")  # fmt: skip
#: One group meant, by a place that has several (杭州那个组, the Hangzhou team): which one?
ONE_GROUP = re.compile(
    r"那个组|这个组|那组|那个部门|那个团队|那个队|\bthe \w+ team\b|\bthat team\b"
)

#: The person farthest from the median (离中位数最远, furthest below the median).
FARTHEST = re.compile(r"最远|差得最多|差最多|差距最大|\b(?:farthest|furthest)\b|\bmost behind\b")
FARTHEST_BELOW = re.compile(r"低于|以下|没过|没超过|不到|落后|below|under|behind")
FARTHEST_ABOVE = re.compile(r"高于|以上|超过|超出|above|ahead|over")

#: Words of a question that asks how things are going without naming a figure
#: (上个月表现如何, how is the team doing): answered with "which figure?".
VAGUE_WORDS = ("表现", "做得", "干得", "进展", "状况", "状态", "成绩", "doing", "going", "performing",
               "getting on", "how", "well", "looking")  # fmt: skip

#: The filler words as one pattern, longest first (Latin words only as whole words).
FILLER_PATTERN = word_pattern(FILLER)
VAGUE_PATTERN = word_pattern(VAGUE_WORDS)
