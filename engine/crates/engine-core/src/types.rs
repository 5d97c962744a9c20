//! Commands in, events out: the public vocabulary of the engine.
//!
//! Prices are integers in the symbol's smallest price unit and must be a multiple of the
//! symbol's `tick_size`; quantities are integers in the smallest quantity unit and must be a
//! multiple of `lot_size`. Notional is `price * qty` in the same integer units (checked).

use serde::{Deserialize, Serialize};

/// Side of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// The other side.
    #[inline]
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// Order type, following Binance spot. An iceberg is a `Limit` with `iceberg_qty > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderType {
    Limit,
    Market,
    /// Post-only: rejected if it would take liquidity.
    LimitMaker,
    /// Becomes a market order when the last trade price reaches `stop_price`.
    StopLoss,
    /// Becomes a limit order when the last trade price reaches `stop_price`.
    StopLossLimit,
    TakeProfit,
    TakeProfitLimit,
}

impl OrderType {
    /// Whether the order waits in the trigger book first.
    #[inline]
    pub fn is_stop(self) -> bool {
        matches!(
            self,
            OrderType::StopLoss
                | OrderType::StopLossLimit
                | OrderType::TakeProfit
                | OrderType::TakeProfitLimit
        )
    }

    /// Whether the order carries a limit price.
    #[inline]
    pub fn has_price(self) -> bool {
        matches!(
            self,
            OrderType::Limit
                | OrderType::LimitMaker
                | OrderType::StopLossLimit
                | OrderType::TakeProfitLimit
        )
    }
}

/// Time in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeInForce {
    Gtc,
    Ioc,
    Fok,
}

/// Self-trade prevention mode of the taker (Binance semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StpMode {
    /// Self trades are allowed.
    None,
    /// The taker's remainder expires.
    ExpireTaker,
    /// The resting order expires; matching goes on.
    ExpireMaker,
    /// Both expire.
    ExpireBoth,
    /// Both are reduced by the prevented quantity; an order reduced to zero expires.
    Decrement,
}

/// Instrument rules of one symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolRules {
    /// Prices must be a positive multiple of this.
    pub tick_size: i64,
    /// Quantities must be a positive multiple of this.
    pub lot_size: i64,
    pub min_qty: i64,
    pub max_qty: i64,
    /// Minimum `price * qty` of a limit order.
    pub min_notional: i64,
    /// Allowed distance of a limit price from the reference price, in basis points;
    /// 0 disables the band.
    pub price_band_bps: i64,
}

impl Default for SymbolRules {
    fn default() -> Self {
        SymbolRules {
            tick_size: 1,
            lot_size: 1,
            min_qty: 1,
            max_qty: i64::MAX,
            min_notional: 0,
            price_band_bps: 0,
        }
    }
}

/// A new order request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    pub ts_ns: u64,
    pub account: u64,
    /// Engine-wide unique among live orders.
    pub order_id: u64,
    pub symbol: u32,
    pub side: Side,
    pub order_type: OrderType,
    pub tif: TimeInForce,
    /// Limit price (for types with a price), otherwise 0.
    pub price: i64,
    /// Base quantity; 0 for a market buy by quote amount.
    pub qty: i64,
    /// Quote amount (`price * qty` units) for a market buy by quote; otherwise 0.
    pub quote_qty: i64,
    /// Trigger price of stop and take-profit orders; otherwise 0.
    pub stop_price: i64,
    /// Visible slice of an iceberg; 0 for a plain order.
    pub iceberg_qty: i64,
    pub stp: StpMode,
}

impl NewOrder {
    /// A GTC limit order with no STP and no iceberg.
    pub fn limit(
        ts_ns: u64,
        account: u64,
        order_id: u64,
        symbol: u32,
        side: Side,
        price: i64,
        qty: i64,
    ) -> NewOrder {
        NewOrder {
            ts_ns,
            account,
            order_id,
            symbol,
            side,
            order_type: OrderType::Limit,
            tif: TimeInForce::Gtc,
            price,
            qty,
            quote_qty: 0,
            stop_price: 0,
            iceberg_qty: 0,
            stp: StpMode::None,
        }
    }

    /// A market order by base quantity.
    pub fn market(
        ts_ns: u64,
        account: u64,
        order_id: u64,
        symbol: u32,
        side: Side,
        qty: i64,
    ) -> NewOrder {
        NewOrder {
            order_type: OrderType::Market,
            tif: TimeInForce::Ioc,
            price: 0,
            ..NewOrder::limit(ts_ns, account, order_id, symbol, side, 0, qty)
        }
    }

    /// Same order with another time in force.
    pub fn with_tif(mut self, tif: TimeInForce) -> NewOrder {
        self.tif = tif;
        self
    }

    /// Same order with another STP mode.
    pub fn with_stp(mut self, stp: StpMode) -> NewOrder {
        self.stp = stp;
        self
    }
}

/// Every input of the engine. Time arrives with each command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Administrative: list a symbol with its rules and the initial reference price.
    CreateSymbol {
        ts_ns: u64,
        symbol: u32,
        rules: SymbolRules,
        reference_price: i64,
    },
    New(NewOrder),
    Cancel {
        ts_ns: u64,
        account: u64,
        order_id: u64,
        symbol: u32,
    },
    /// Amend a resting order to `new_price` and `new_qty` (new open quantity). A pure
    /// decrease at the same price keeps queue position; anything else re-enters the order.
    Replace {
        ts_ns: u64,
        account: u64,
        order_id: u64,
        symbol: u32,
        new_price: i64,
        new_qty: i64,
    },
    /// Kill switch: cancel every open order of `account` (in one symbol if given).
    MassCancel {
        ts_ns: u64,
        account: u64,
        symbol: Option<u32>,
    },
}

impl Command {
    /// Timestamp carried by the command.
    pub fn ts_ns(&self) -> u64 {
        match self {
            Command::CreateSymbol { ts_ns, .. }
            | Command::Cancel { ts_ns, .. }
            | Command::Replace { ts_ns, .. }
            | Command::MassCancel { ts_ns, .. } => *ts_ns,
            Command::New(o) => o.ts_ns,
        }
    }
}

/// Why a command was rejected: one code per rule. Numbered for the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum RejectReason {
    UnknownSymbol = 1,
    DuplicateSymbol = 2,
    InvalidRules = 3,
    InvalidQuantity = 4,
    InvalidPrice = 5,
    TickSize = 6,
    LotSize = 7,
    MinQty = 8,
    MaxQty = 9,
    MinNotional = 10,
    PriceBand = 11,
    WouldTakePostOnly = 12,
    FokNotFilled = 13,
    DuplicateOrderId = 14,
    UnknownOrder = 15,
    NotOwner = 16,
    Overflow = 17,
    NoLiquidity = 18,
    InvalidStopPrice = 19,
    WouldTriggerImmediately = 20,
    InvalidTimeInForce = 21,
    InvalidIceberg = 22,
    NotReplaceable = 23,
}

/// Why an order left the book without trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum CancelReason {
    /// Cancelled by its owner.
    User = 1,
    /// The unfilled remainder of an IOC / market order.
    IocRemainder = 2,
    /// Self-trade prevention.
    Stp = 3,
    /// Account kill switch.
    MassCancel = 4,
    /// A market order found no (more) liquidity.
    MarketNoLiquidity = 5,
    /// A market buy by quote could not buy one more lot with the rest of its quote.
    QuoteExhausted = 6,
    /// A triggered fill-or-kill order could not be filled completely.
    FokNotFilled = 7,
}

/// One output of the engine. `seq` is gap-free over the whole engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub ts_ns: u64,
    pub symbol: u32,
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    SymbolCreated {
        reference_price: i64,
    },
    Accepted {
        order_id: u64,
        account: u64,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        price: i64,
        qty: i64,
        quote_qty: i64,
    },
    Rejected {
        order_id: u64,
        account: u64,
        reason: RejectReason,
    },
    Trade {
        trade_id: u64,
        maker_order_id: u64,
        taker_order_id: u64,
        maker_account: u64,
        taker_account: u64,
        price: i64,
        qty: i64,
        aggressor: Side,
    },
    /// Removed by a user request (cancel, mass cancel); `qty` is the open quantity removed.
    Cancelled {
        order_id: u64,
        account: u64,
        qty: i64,
        reason: CancelReason,
    },
    /// Quantity removed by the engine (IOC remainder, STP, no liquidity); `qty` is what was
    /// removed, `remaining` the open quantity the order still has (0 = the order is gone; only
    /// STP `Decrement` leaves a remainder).
    Expired {
        order_id: u64,
        account: u64,
        qty: i64,
        remaining: i64,
        reason: CancelReason,
    },
    Replaced {
        order_id: u64,
        account: u64,
        old_price: i64,
        old_qty: i64,
        new_price: i64,
        new_qty: i64,
        kept_priority: bool,
    },
    /// A stop order was triggered by `last_price` and now acts as market/limit.
    Triggered {
        order_id: u64,
        account: u64,
        stop_price: i64,
        last_price: i64,
    },
    /// Total visible quantity at one level after the command (0 = level gone).
    BookLevel {
        side: Side,
        price: i64,
        qty: i64,
    },
}
