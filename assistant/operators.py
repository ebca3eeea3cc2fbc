"""Words that carry part of a question's meaning without naming warehouse data.

Each class is a set of grammar words (不是 warehouse vocabulary, which lives in the
semantic model) whose meaning a plan must carry when the question uses one: a
question that says 各 (each) is a breakdown, 最 (most) ranks, 多少人 (how many people)
counts, 一共 (in total) wants one total. :mod:`assistant.accounting` checks each class
against the plan; a word whose class the plan does not carry means the plan is not the
question. Words of no meaning at all (请问, 的, please) are in ``lexicon.FILLER``.
"""

from __future__ import annotations

import re

OPERATOR_WORDS: dict[str, tuple[str, ...]] = {
    # a hypothetical or a need: what if they sold more, how much more they need
    "what_if": ("如果", "假如", "假设", "要是", "倘若", "再卖出", "再卖", "多卖", "再签下", "再签", "多签",
                "再成交", "再拿下", "还要卖", "还需要卖", "还得卖", "需要卖", "要卖", "还需要", "还需", "需要",
                "才能", "才可以", "才够", "才", "what if", "suppose", "supposing", "if", "another", "extra",
                "additional", "need", "needs", "have to", "has to"),
    # a breakdown: several groups or people, not one figure
    "per_head": ("人均", "平均每人", "平均每个人", "每人平均", "平均每位", "平均", "per head", "per capita",
                 "per person", "per rep", "per employee", "average per", "average", "avg", "mean"),
    "breakdown": ("各自", "各个", "各", "每个", "每一个", "每位", "每名", "每人", "分别", "按照", "按", "分组",
                  "each", "every", "broken down", "breakdown", "split by", "respectively"),
    # a ranking or a superlative
    "rank": ("最高", "最多", "最大", "最好", "最强", "最厉害", "最棒", "最牛", "最佳", "最低", "最少", "最小", "最差",
             "最弱", "最严重", "垫底", "倒数", "第一名", "第一", "第1名", "第1", "冠军", "销冠", "排名", "排行", "排序", "名次", "排第几",
             "第几名", "第几", "从高到低", "由高到低", "从低到高", "排一下", "排个序", "前几", "top", "highest",
             "lowest", "most", "least", "fewest", "best", "worst", "largest", "biggest", "smallest", "greatest",
             "leading", "number one", "number 1", "no 1", "rank", "ranking", "ranked", "position", "standing",
             "sorted", "bottom", "max", "maximum", "min"),
    # how many (people, things): a count
    "count": ("几条", "多少条", "多少人", "多少个人", "几个人", "几人", "几位", "几个", "多少位", "多少名", "多少个", "有几个", "人数", "个数",
              "how many", "number of", "count of", "headcount"),
    # one total
    "total": ("加起来", "加在一起", "汇总", "总共", "一共", "合计", "总额", "总计", "总和", "总数", "累计", "in total",
              "total", "sum", "altogether", "overall", "combined", "across all"),
    # a share or rate
    "share": ("达标率", "达标比例", "pass rate", "占比", "比例", "百分比", "份额", "占多少", "占全部", "占总", "占", "百分之多少", "百分之几", "几成",
              "what percent",
              "what percentage", "percentage", "percent", "share", "proportion", "ratio"),
    # a negation: someone who did not
    "negation": ("没有", "没能", "没", "未能", "未", "尚未", "还没", "不到", "不够", "不能", "拿不到", "不", "miss",
                 "misses", "missing", "didn't",
                 "didnt", "did not", "hasn't", "haven't", "not", "never", "no one", "nobody", "missed",
                 "failed", "fell short", "short of", "without"),
    # two conditions at once
    "both": ("但是", "但", "却", "而且", "并且", "同时", "反而", "也", "既", "又", "but", "and also", "yet", "while",
             "both of", "both", "still"),
    # yes or no about everyone: answered with the exceptions
    "everyone": ("是不是都", "是不是所有人", "是不是每个人", "是不是大家", "是否都", "是否所有人", "所有人都", "每个人都",
                 "大家都", "全员都", "全部都", "都达标", "都过了", "is everyone", "are all", "did everyone",
                 "has everyone", "have all", "is everybody", "did everybody"),
    # a comparison between periods or a change
    "change": ("同比去年", "比去年同期", "较去年同期", "较去年", "环比上月", "环比上个月", "较上月", "涨了还是跌了",
               "涨还是跌", "涨跌幅", "涨跌", "幅度", "跌了", "环比", "同比", "增长率", "增长", "增幅", "增加了", "减少了", "下降", "上涨", "涨了", "降了", "多卖了",
               "多了多少", "少了多少", "比上个月", "比上月", "比去年", "去年同期", "growth", "grew", "increase",
               "decrease", "change", "mom", "yoy", "month over month", "month on month", "year over year",
               "year on year", "difference", "how much more", "how much less"),
    # two or more things side by side
    "compare": ("对比一下", "对比", "比较", "相比", "versus", "vs", "compared with", "compared to", "compare",
                "side by side"),
    # one figure divided by another (a ratio metric's parts)
    "divide": ("÷", "除以", "divided by", "divide by"),
    # above or below a line (the median, a target)
    "above": ("超过", "超了", "超出", "超", "过了", "高于", "跑赢", "above", "beat", "beats", "over", "exceed", "exceeded",
              "higher than", "more than", "better than", "ahead of"),
    "below": ("低于", "跑输", "落后", "below", "under", "lower than", "less than", "behind", "worse than"),
    # how far from a line
    "distance": ("距离", "差得", "差了", "还差", "高出", "高了多少", "低了多少", "离", "比"),
    # the earlier answer of the conversation
    "reference": ("其中", "里面", "这些人", "那些人", "上面", "刚才", "of them", "among them"),
    "pronoun": ("他们", "她们", "他", "她", "them", "those", "these", "they"),
}  # fmt: skip

#: Question markers of a yes/no question (有没有人, 是不是): they ask, they do not negate.
ASKING = ("有没有", "是不是", "是否", "能不能", "会不会", "可不可以", "有无", "了没有", "了没", "did anyone",
          "is there", "are there", "is anyone", "has anyone", "any")  # fmt: skip

#: Which group ("哪个部门", "which team"): the answer is groups, not people.
WHICH = re.compile(r"哪个|哪一个|哪家|哪一家|哪些|哪几个|\bwhich\b|\bwhat\b")


def word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for ``words``, longest first; Latin words only as whole words."""
    return re.compile(
        "|".join(
            rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii() else re.escape(w)
            for w in sorted(set(words), key=len, reverse=True)
        )
    )


OPERATOR_PATTERNS: dict[str, re.Pattern[str]] = {
    name: word_pattern(words) for name, words in OPERATOR_WORDS.items()
}
ASKING_PATTERN = word_pattern(ASKING)

#: A figure per person of a group (人均业绩, sales per rep).
PER_HEAD = re.compile(
    r"人均|平均每人|平均每个人|每人平均|平均每位|\bper (?:head|capita|person|rep|employee|salesperson)\b"
    r"|\baverage (?:sales|revenue) per\b"
)
