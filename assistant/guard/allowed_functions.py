"""Functions: an allowlist of scalar, aggregate and window functions; nothing else.

sqlglot parses known functions into typed nodes (``exp.Sum``, ``exp.DateTrunc``)
and unknown ones into ``exp.Anonymous``; both are checked against an allowlist,
so a function this module has never heard of (``read_text``, ``pg_read_file``,
``query_to_xml``, ``current_setting``, ``dblink``, a look-alike spelling) is
refused. Bind parameters and session variables are refused too: a guarded
statement is complete text.
"""

from __future__ import annotations

from sqlglot import exp

from assistant.errors import GuardError
from assistant.guard.context import GuardContext

#: Typed sqlglot function nodes that compute over values only (no I/O, no state).
TYPED = frozenset(
    # aggregate
    "Count Sum Avg Min Max Median Mode Quantile PercentileCont PercentileDisc ApproxQuantile "
    "ApproxDistinct Stddev StddevPop StddevSamp Variance VariancePop Corr CovarPop CovarSamp "
    "RegrSlope RegrIntercept ArrayAgg GroupConcat CountIf SumIf AnyValue First Last ArgMax ArgMin "
    "LogicalAnd LogicalOr "
    # window
    "RowNumber Rank DenseRank PercentRank CumeDist Ntile Lag Lead FirstValue LastValue NthValue "
    # math
    "Abs Round Floor Ceil Sqrt Cbrt Pow Ln Log Exp Sign Trunc Greatest Least SafeDivide WidthBucket "
    # string
    "Lower Upper Length Substring Trim Concat ConcatWs Replace Left Right StrPosition Pad Initcap "
    "RegexpLike RegexpReplace RegexpExtract SplitPart Split StartsWith EndsWith Contains Reverse "
    "Repeat Ascii Chr Format ToChar Translate MD5 "
    # date and time
    "CurrentDate CurrentTimestamp CurrentTime Localtimestamp Localtime DateTrunc TimestampTrunc "
    "Extract DateAdd DateSub DateDiff TimestampAdd TimestampSub TimestampDiff DateBin DateFromParts "
    "Date Year Month Day Quarter Week WeekOfYear DayOfWeek DayOfWeekIso DayOfMonth DayOfYear Dayname "
    "Monthname LastDay StrToDate StrToTime TimeToStr TimeStrToTime TsOrDsToDate TsOrDsAdd "
    "TsOrDsDiff UnixToTime TimeToUnix AddMonths JustifyDays JustifyHours JustifyInterval "
    "DateStrToDate DateToDateStr MakeInterval TimestampFromParts "
    # conditional and casts
    "Case If Coalesce Nullif Cast TryCast Exists "
    # values and generators
    "Array ArraySize ArraySort Struct Explode Unnest GenerateSeries ExplodingGenerateSeries "
    "GenerateDateArray".split()
)

#: Functions sqlglot does not type (``exp.Anonymous``), by lower-case name.
ANONYMOUS = frozenset(
    "age date_part datepart date_sub date_diff datediff now today strftime strptime epoch isodow "
    "dayofmonth make_date make_timestamp make_interval clock_timestamp statement_timestamp "
    "to_date to_char to_timestamp to_number timezone printf ifnull nvl char_length "
    "character_length round_even list string_agg range generate_series yearweek justify_interval "
    "date_bin bool_and bool_or every".split()
)

#: Functions of one dialect that sqlglot does not type, by lower-case name: ClickHouse's
#: date, conversion, conditional and aggregate functions (its file, URL, dictionary,
#: setting and system functions are not here, so they are refused).
DIALECT_ANONYMOUS = {
    "clickhouse": frozenset(
        "tostartofmonth tostartofquarter tostartofyear tostartofweek tostartofday tomonday "
        "toyyyymm toyyyymmdd toyear tomonth toquarter todayofmonth todayofweek todayofyear "
        "tohour tominute todate todate32 todatetime todatetime64 tostring tofixedstring "
        "tofloat32 tofloat64 toint8 toint16 toint32 toint64 touint8 touint16 touint32 touint64 "
        "todecimal32 todecimal64 todecimal128 todecimalstring tointervalday tointervalmonth "
        "tointervalyear addmonths adddays addyears addweeks subtractmonths subtractdays "
        "subtractyears subtractweeks datetrunc date_trunc formatdatetime yesterday "
        "tolastdayofmonth uniq uniqexact quantile quantiles quantileexact quantileexactlow "
        "quantileexacthigh quantileexactinclusive quantileexactexclusive "
        "quantilesexactinclusive median medianexact any anylast grouparray countif sumif "
        "avgif minif maxif uniqif argmaxif argminif roundbankers intdiv intdivorzero modulo "
        "divide multiply plus minus multiif assumenotnull tonullable isnull isnotnull "
        "ifnull lowerutf8 upperutf8 lengthutf8 substringutf8 positionutf8 empty notempty "
        "has arrayjoin numbers".split()
    ),
}

#: ClickHouse's parameterised and combined aggregates (``quantileExact(0.5)(x)``,
#: ``sumIf(x, c)``), checked by their function name.
NAMED_AGGREGATES = (exp.ParameterizedAgg, exp.CombinedAggFunc, exp.CombinedParameterizedAgg)

#: Expression kinds that are not complete text (filled in by someone else at run time).
PARAMETER_NODES = (exp.Placeholder, exp.Parameter, exp.SessionParameter)


def allowed_functions(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """Return ``tree`` unchanged, or raise ``function_not_allowed`` / ``parameter_not_allowed``."""
    dialect_names = DIALECT_ANONYMOUS.get(ctx.catalog.dialect, frozenset())
    for node in tree.walk():
        if isinstance(node, PARAMETER_NODES):
            raise GuardError(
                f"parameters and session variables ({node.sql(dialect=ctx.catalog.dialect)}) are "
                "not allowed; write the value into the query",
                reason="parameter_not_allowed",
            )
        if not isinstance(node, exp.Func) or isinstance(node, exp.Connector):  # AND, OR, XOR
            continue
        if isinstance(node, (exp.Anonymous, *NAMED_AGGREGATES)):
            name = node.name
            if name.lower() in ANONYMOUS or name.lower() in dialect_names:
                continue
        else:
            if type(node).__name__ in TYPED:
                continue
            name = node.sql_name()
        raise GuardError(
            f"the function {name}() is not allowed; only "
            "arithmetic, string, date, conditional, aggregate and window functions can be used "
            "(no file, network or system functions)",
            reason="function_not_allowed",
        )
    return tree
