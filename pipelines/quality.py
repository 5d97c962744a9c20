"""Great Expectations suites of the lake's raw trades and of the minute-bar features.

A suite is built for one moment (``now_ns``) so that "no future timestamps" means the same
thing for the whole batch. Gap-free sequence numbers are not a built-in expectation: each
trade gets the step from its symbol's previous sequence number (``seq_step``), which must
be exactly 1; a duplicate gives 0 and a gap more than 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

TRADE_COLUMNS = [
    "seq",
    "shard",
    "ts_ns",
    "symbol",
    "trade_id",
    "price",
    "qty",
    "aggressor",
    "maker_order_id",
    "taker_order_id",
    "maker_account",
    "taker_account",
    "price_decimal",
    "qty_decimal",
    "date",
]
BAR_FEATURE_COLUMNS = ["symbol", "event_timestamp", "close", "vwap", "volume", "trade_count"]


def _schema(columns: list[str]) -> list[gxe.Expectation]:
    present: list[gxe.Expectation] = [gxe.ExpectColumnToExist(column=c) for c in columns]
    filled: list[gxe.Expectation] = [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]
    return present + filled


def _positive(columns: list[str]) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, strict_min=True) for c in columns
    ]


def trade_suite(now_ns: int) -> gx.ExpectationSuite:
    """The raw trades of the lake, with their ``seq_step`` (see :func:`with_sequence_steps`)."""
    return gx.ExpectationSuite(
        name="lake_trades",
        expectations=[
            *_schema(TRADE_COLUMNS),
            *_positive(["price", "qty", "price_decimal", "qty_decimal"]),
            gxe.ExpectColumnValuesToBeInSet(column="aggressor", value_set=["BUY", "SELL"]),
            gxe.ExpectColumnValuesToBeBetween(column="ts_ns", min_value=0, max_value=now_ns),
            # Trade ids are numbered per symbol, like sequence numbers.
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["symbol", "trade_id"]),
            gxe.ExpectColumnValuesToBeBetween(column="seq_step", min_value=1, max_value=1),
        ],
    )


def bar_feature_suite(now_ns: int) -> gx.ExpectationSuite:
    """The minute-bar feature rows of ``symbol_market_1m`` (one per symbol and minute)."""
    return gx.ExpectationSuite(
        name="symbol_market_1m",
        expectations=[
            *_schema(BAR_FEATURE_COLUMNS),
            *_positive(["close", "vwap", "volume"]),
            gxe.ExpectColumnValuesToBeBetween(column="trade_count", min_value=1),
            gxe.ExpectColumnValuesToBeBetween(
                column="event_timestamp", max_value=pd.Timestamp(now_ns, unit="ns", tz="UTC")
            ),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["symbol", "event_timestamp"]),
        ],
    )


def with_sequence_steps(trades: pd.DataFrame) -> pd.DataFrame:
    """The trades ordered by symbol and sequence number, each with its step from the last one.

    A symbol's first trade of the batch has step 1: the batch may start anywhere.
    """
    ordered = trades.sort_values(["symbol", "seq"], kind="stable").reset_index(drop=True)
    steps = ordered.groupby("symbol", observed=True)["seq"].diff().fillna(1)
    return ordered.assign(seq_step=steps.astype("int64"))


@dataclass(frozen=True)
class Verdict:
    success: bool
    failed: dict[str, object]  # expectation (type and column) -> what it saw


def _label(config: dict[str, object]) -> str:
    kwargs = config.get("kwargs", {})
    assert isinstance(kwargs, dict)
    where = kwargs.get("column") or kwargs.get("column_list")
    return f"{config['type']}({where})"


def validate(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> Verdict:
    """Run ``suite`` on ``frame`` in an ephemeral context: nothing is stored."""
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas(suite.name)
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe(suite.name)
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(context.suites.add(suite))
    failed: dict[str, object] = {}
    for outcome in result.results:
        if not outcome.success:
            seen = outcome.result.get(
                "partial_unexpected_list", outcome.result.get("observed_value")
            )
            failed[_label(outcome.expectation_config.to_json_dict())] = seen
    return Verdict(success=bool(result.success), failed=failed)
