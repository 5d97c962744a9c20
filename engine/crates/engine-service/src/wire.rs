//! JSON on the wire. The schema files in `xi/contracts/` define every message; this module
//! parses `orders.v1` commands and writes `executions.v1`, `trades.v1` and `book.v1`.
//!
//! Prices and quantities are integers (ticks and lots); symbols travel by name; enums use
//! Binance spellings (`BUY`, `LIMIT_MAKER`, `GTC`, `EXPIRE_TAKER`, ...).

use std::borrow::Cow;

use engine_core::{CancelReason, OrderType, RejectReason, Side, StpMode, TimeInForce};
use serde::Deserialize;

use crate::json::Object;

/// A message of an output topic, written as JSON at the end of a buffer.
pub trait WriteJson {
    fn write_json(&self, buf: &mut Vec<u8>);
}

/// Command types of `orders.v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommandType {
    CreateSymbol,
    NewOrder,
    Cancel,
    Replace,
    CancelAll,
}

/// One `orders.v1` message as it arrives: every field of every command type, checked per
/// type by [`crate::shard`]. Unknown fields are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommand<'a> {
    #[serde(rename = "type")]
    pub kind: CommandType,
    #[serde(borrow, default)]
    pub command_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub client_order_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub symbol: Option<Cow<'a, str>>,
    pub ts_ns: Option<u64>,
    pub account: Option<u64>,
    pub side: Option<WSide>,
    pub order_type: Option<WOrderType>,
    pub time_in_force: Option<WTif>,
    pub stp: Option<WStp>,
    pub price: Option<i64>,
    pub qty: Option<i64>,
    pub quote_qty: Option<i64>,
    pub stop_price: Option<i64>,
    pub iceberg_qty: Option<i64>,
    pub order_id: Option<u64>,
    pub new_price: Option<i64>,
    pub new_qty: Option<i64>,
    pub tick_size: Option<i64>,
    pub lot_size: Option<i64>,
    pub min_qty: Option<i64>,
    pub max_qty: Option<i64>,
    pub min_notional: Option<i64>,
    pub price_band_bps: Option<i64>,
    pub reference_price: Option<i64>,
}

/// Just the correlation fields, read from a command that failed to parse.
#[derive(Debug, Deserialize, Default)]
pub struct Correlation<'a> {
    #[serde(borrow, default)]
    pub command_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub client_order_id: Option<Cow<'a, str>>,
    pub account: Option<u64>,
}

macro_rules! wire_enum {
    ($name:ident, $core:ident, $($variant:ident = $spelling:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $spelling)] $variant,)+
        }
        impl $name {
            /// The spelling on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $spelling,)+ }
            }
        }
        impl From<$name> for $core {
            fn from(v: $name) -> $core {
                match v { $($name::$variant => $core::$variant,)+ }
            }
        }
        impl From<$core> for $name {
            fn from(v: $core) -> $name {
                match v { $($core::$variant => $name::$variant,)+ }
            }
        }
    };
}

wire_enum!(WSide, Side, Buy = "BUY", Sell = "SELL");
wire_enum!(
    WOrderType,
    OrderType,
    Limit = "LIMIT",
    Market = "MARKET",
    LimitMaker = "LIMIT_MAKER",
    StopLoss = "STOP_LOSS",
    StopLossLimit = "STOP_LOSS_LIMIT",
    TakeProfit = "TAKE_PROFIT",
    TakeProfitLimit = "TAKE_PROFIT_LIMIT",
);
wire_enum!(WTif, TimeInForce, Gtc = "GTC", Ioc = "IOC", Fok = "FOK");
wire_enum!(
    WStp,
    StpMode,
    None = "NONE",
    ExpireTaker = "EXPIRE_TAKER",
    ExpireMaker = "EXPIRE_MAKER",
    ExpireBoth = "EXPIRE_BOTH",
    Decrement = "DECREMENT",
);

/// Why a command was refused: the engine's reasons plus the service's own (`MALFORMED`,
/// `OVERFLOW` of a number on the wire, `TOO_MANY_SYMBOLS`).
pub fn reject_reason(r: RejectReason) -> &'static str {
    match r {
        RejectReason::UnknownSymbol => "UNKNOWN_SYMBOL",
        RejectReason::DuplicateSymbol => "DUPLICATE_SYMBOL",
        RejectReason::InvalidRules => "INVALID_RULES",
        RejectReason::InvalidQuantity => "INVALID_QUANTITY",
        RejectReason::InvalidPrice => "INVALID_PRICE",
        RejectReason::TickSize => "TICK_SIZE",
        RejectReason::LotSize => "LOT_SIZE",
        RejectReason::MinQty => "MIN_QTY",
        RejectReason::MaxQty => "MAX_QTY",
        RejectReason::MinNotional => "MIN_NOTIONAL",
        RejectReason::PriceBand => "PRICE_BAND",
        RejectReason::WouldTakePostOnly => "WOULD_TAKE_POST_ONLY",
        RejectReason::FokNotFilled => "FOK_NOT_FILLED",
        RejectReason::DuplicateOrderId => "DUPLICATE_ORDER_ID",
        RejectReason::UnknownOrder => "UNKNOWN_ORDER",
        RejectReason::NotOwner => "NOT_OWNER",
        RejectReason::Overflow => "OVERFLOW",
        RejectReason::NoLiquidity => "NO_LIQUIDITY",
        RejectReason::InvalidStopPrice => "INVALID_STOP_PRICE",
        RejectReason::WouldTriggerImmediately => "WOULD_TRIGGER_IMMEDIATELY",
        RejectReason::InvalidTimeInForce => "INVALID_TIME_IN_FORCE",
        RejectReason::InvalidIceberg => "INVALID_ICEBERG",
        RejectReason::NotReplaceable => "NOT_REPLACEABLE",
    }
}

/// Why an order left the book without trading.
pub fn cancel_reason(r: CancelReason) -> &'static str {
    match r {
        CancelReason::User => "USER",
        CancelReason::IocRemainder => "IOC_REMAINDER",
        CancelReason::Stp => "STP",
        CancelReason::MassCancel => "CANCEL_ALL",
        CancelReason::MarketNoLiquidity => "NO_LIQUIDITY",
        CancelReason::QuoteExhausted => "QUOTE_EXHAUSTED",
        CancelReason::FokNotFilled => "FOK_NOT_FILLED",
    }
}

/// One `executions.v1` message: a report about one order (or one symbol listing), keyed by
/// `account`. Fields that do not apply to an `exec_type` are left out.
#[derive(Debug)]
pub struct Execution<'a> {
    pub seq: u64,
    pub shard: i32,
    pub ts_ns: u64,
    pub symbol: &'a str,
    pub exec_type: &'static str,
    pub account: u64,
    pub order_id: u64,
    /// The command's id, on the reports to the account that sent it; null for others.
    pub command_id: Option<&'a str>,
    pub client_order_id: Option<&'a str>,
    pub side: Option<WSide>,
    pub order_type: Option<WOrderType>,
    pub time_in_force: Option<WTif>,
    pub price: Option<i64>,
    pub qty: Option<i64>,
    pub quote_qty: Option<i64>,
    pub remaining_qty: Option<i64>,
    pub reason: Option<&'static str>,
    pub detail: Option<&'a str>,
    pub trade_id: Option<u64>,
    pub liquidity: Option<&'static str>,
    pub counter_order_id: Option<u64>,
    pub old_price: Option<i64>,
    pub old_qty: Option<i64>,
    pub kept_priority: Option<bool>,
    pub stop_price: Option<i64>,
    pub last_price: Option<i64>,
}

impl<'a> Execution<'a> {
    /// A report with only the common fields set.
    pub fn new(
        seq: u64,
        shard: i32,
        ts_ns: u64,
        symbol: &'a str,
        exec_type: &'static str,
        account: u64,
        order_id: u64,
    ) -> Execution<'a> {
        Execution {
            seq,
            shard,
            ts_ns,
            symbol,
            exec_type,
            account,
            order_id,
            command_id: None,
            client_order_id: None,
            side: None,
            order_type: None,
            time_in_force: None,
            price: None,
            qty: None,
            quote_qty: None,
            remaining_qty: None,
            reason: None,
            detail: None,
            trade_id: None,
            liquidity: None,
            counter_order_id: None,
            old_price: None,
            old_qty: None,
            kept_priority: None,
            stop_price: None,
            last_price: None,
        }
    }
}

/// One `trades.v1` message, keyed by symbol.
#[derive(Debug)]
pub struct Trade<'a> {
    pub seq: u64,
    pub shard: i32,
    pub ts_ns: u64,
    pub symbol: &'a str,
    pub trade_id: u64,
    pub price: i64,
    pub qty: i64,
    pub aggressor: WSide,
    pub maker_order_id: u64,
    pub taker_order_id: u64,
    pub maker_account: u64,
    pub taker_account: u64,
}

/// One `book.v1` message, keyed by symbol: the L2 levels one command changed
/// (`DEPTH_UPDATE`, events `first_seq..=last_seq`, quantity 0 = level gone) or the whole book
/// (`SNAPSHOT`, as of `last_seq`; apply the updates with `first_seq > last_seq` of it).
#[derive(Debug)]
pub struct Book<'a> {
    pub kind: &'static str,
    pub shard: i32,
    pub ts_ns: u64,
    pub symbol: &'a str,
    pub first_seq: u64,
    pub last_seq: u64,
    pub bids: &'a [(i64, i64)],
    pub asks: &'a [(i64, i64)],
}

impl WriteJson for Execution<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        Object::begin(buf)
            .u64("seq", self.seq)
            .i64("shard", i64::from(self.shard))
            .u64("ts_ns", self.ts_ns)
            .str("symbol", self.symbol)
            .str("exec_type", self.exec_type)
            .u64("account", self.account)
            .u64("order_id", self.order_id)
            .nullable_str("command_id", self.command_id)
            .nullable_str("client_order_id", self.client_order_id)
            .opt_str("side", self.side.map(WSide::as_str))
            .opt_str("order_type", self.order_type.map(WOrderType::as_str))
            .opt_str("time_in_force", self.time_in_force.map(WTif::as_str))
            .opt_i64("price", self.price)
            .opt_i64("qty", self.qty)
            .opt_i64("quote_qty", self.quote_qty)
            .opt_i64("remaining_qty", self.remaining_qty)
            .opt_str("reason", self.reason)
            .opt_str("detail", self.detail)
            .opt_u64("trade_id", self.trade_id)
            .opt_str("liquidity", self.liquidity)
            .opt_u64("counter_order_id", self.counter_order_id)
            .opt_i64("old_price", self.old_price)
            .opt_i64("old_qty", self.old_qty)
            .opt_bool("kept_priority", self.kept_priority)
            .opt_i64("stop_price", self.stop_price)
            .opt_i64("last_price", self.last_price)
            .end();
    }
}

impl WriteJson for Trade<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        Object::begin(buf)
            .u64("seq", self.seq)
            .i64("shard", i64::from(self.shard))
            .u64("ts_ns", self.ts_ns)
            .str("symbol", self.symbol)
            .u64("trade_id", self.trade_id)
            .i64("price", self.price)
            .i64("qty", self.qty)
            .str("aggressor", self.aggressor.as_str())
            .u64("maker_order_id", self.maker_order_id)
            .u64("taker_order_id", self.taker_order_id)
            .u64("maker_account", self.maker_account)
            .u64("taker_account", self.taker_account)
            .end();
    }
}

impl WriteJson for Book<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        Object::begin(buf)
            .str("type", self.kind)
            .i64("shard", i64::from(self.shard))
            .u64("ts_ns", self.ts_ns)
            .str("symbol", self.symbol)
            .u64("first_seq", self.first_seq)
            .u64("last_seq", self.last_seq)
            .levels("bids", self.bids)
            .levels("asks", self.asks)
            .end();
    }
}
