//! The matching engine: a deterministic state machine over many symbols.
//!
//! - **Price-time priority.** A taker matches the best opposite level first and, within a
//!   level, the oldest order first. The trade price is the maker's price.
//! - **Queue position.** A new order, a re-entered order (replace with a price change or a
//!   quantity increase) and a refilled iceberg slice go to the back of their level. A replace
//!   that only lowers the quantity at the same price keeps its place.
//! - **Stops.** Stop and take-profit orders wait in a trigger book keyed by stop price; after
//!   every command that trades, all orders whose condition the last trade price meets are
//!   triggered in submission order (a cascade repeats until nothing more triggers).
//! - **Self-trade prevention** follows the taker's mode, checked against each maker in turn.
//! - **Events.** Every event gets the next number of one gap-free engine-wide sequence. At the
//!   end of each command a `BookLevel` event is emitted for every level whose visible total
//!   changed, in the order the levels were first touched.
//! - **Complexity.** New order: O(log L) to find its level (L levels on a side, usually O(1)
//!   since activity is near the top) plus O(1) per fill; cancel: O(1) id lookup plus O(log L).
//! - Nothing here reads a clock, draws a random number or iterates a seeded hash map.

use std::collections::{BTreeMap, BTreeSet};

use crate::book::{key_of, Arena, Ladder, Order, NIL};
use crate::divisor::Divisor;
use crate::index::OrderIndex;
use crate::types::{
    CancelReason, Command, Event, EventKind, NewOrder, OrderType, RejectReason, Side, StpMode,
    SymbolRules, TimeInForce,
};

/// Symbol ids must be below this (books are indexed directly by symbol id).
pub const MAX_SYMBOLS: u32 = 1 << 16;

/// Where a live order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    Book { slot: u32, symbol: u32 },
    Stop { symbol: u32, stop_seq: u64 },
}

/// State of one symbol.
#[derive(Debug, Clone)]
pub(crate) struct SymbolBook {
    pub rules: SymbolRules,
    /// `rules.tick_size` and `rules.lot_size`, prepared for divisibility tests.
    pub tick: Divisor,
    pub lot: Divisor,
    pub reference_price: i64,
    /// Last trade price, 0 before the first trade; set through `set_last_price`.
    pub last_price: i64,
    /// Lowest and highest price the band allows around the current reference price, kept
    /// up to date when the last price moves so that checking an order is two comparisons.
    band: (i64, i64),
    pub bids: Ladder,
    pub asks: Ladder,
    /// Waiting stop orders by submission number.
    pub stops: BTreeMap<u64, NewOrder>,
    /// (stop price, stop seq) of orders triggered when last >= stop.
    pub stops_up: BTreeSet<(i64, u64)>,
    /// (stop price, stop seq) of orders triggered when last <= stop.
    pub stops_down: BTreeSet<(i64, u64)>,
}

impl SymbolBook {
    /// A new book, or `None` if the rules or the reference price are invalid.
    pub(crate) fn new(rules: SymbolRules, reference_price: i64) -> Option<SymbolBook> {
        let valid = rules.min_qty >= 0
            && rules.max_qty >= rules.min_qty
            && rules.min_notional >= 0
            && rules.price_band_bps >= 0
            && reference_price >= 0;
        if !valid {
            return None;
        }
        let mut book = SymbolBook {
            rules,
            tick: Divisor::new(rules.tick_size)?,
            lot: Divisor::new(rules.lot_size)?,
            reference_price,
            last_price: 0,
            band: (i64::MIN, i64::MAX),
            bids: Ladder::default(),
            asks: Ladder::default(),
            stops: BTreeMap::new(),
            stops_up: BTreeSet::new(),
            stops_down: BTreeSet::new(),
        };
        book.set_last_price(0);
        Some(book)
    }

    /// Set the last trade price and the price band that follows from it.
    #[inline]
    pub(crate) fn set_last_price(&mut self, last: i64) {
        self.last_price = last;
        self.band = band_bounds(self.rules.price_band_bps, self.reference());
    }

    /// The band's reference: the last trade price, or the listing's before the first trade.
    #[inline]
    fn reference(&self) -> i64 {
        if self.last_price != 0 {
            self.last_price
        } else {
            self.reference_price
        }
    }

    #[inline]
    pub(crate) fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    #[inline]
    pub(crate) fn ladder_mut(&mut self, side: Side) -> &mut Ladder {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

/// A level the current command changed: its visible total before the command and now.
#[derive(Debug, Clone, Copy)]
struct Touch {
    symbol: u32,
    side: Side,
    price: i64,
    old: i64,
    new: i64,
}

/// Everything but the books, so that a book and the state can be borrowed together.
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    pub arena: Arena,
    pub ids: OrderIndex,
    pub seq: u64,
    pub trade_id: u64,
    pub stop_seq: u64,
    ts: u64,
    touched: Vec<Touch>,
    trig_buf: Vec<(u64, i64)>,
}

impl State {
    #[inline]
    fn emit(&mut self, out: &mut Vec<Event>, symbol: u32, kind: EventKind) {
        self.seq += 1;
        out.push(Event {
            seq: self.seq,
            ts_ns: self.ts,
            symbol,
            kind,
        });
    }

    #[inline]
    fn reject(
        &mut self,
        out: &mut Vec<Event>,
        symbol: u32,
        order_id: u64,
        account: u64,
        r: RejectReason,
    ) {
        self.emit(
            out,
            symbol,
            EventKind::Rejected {
                order_id,
                account,
                reason: r,
            },
        );
    }

    /// Record that a level's visible total went from `old` to `new`; the first `old` of the
    /// command is kept. Every change of a level's total goes through here, so that the end of
    /// the command reads the totals from this list instead of looking the levels up again.
    /// Returns the level's position in the list.
    #[inline]
    fn touch(&mut self, symbol: u32, side: Side, price: i64, old: i64, new: i64) -> usize {
        let found = self
            .touched
            .iter()
            .position(|t| t.price == price && t.side == side && t.symbol == symbol);
        match found {
            Some(i) => {
                self.touched[i].new = new;
                i
            }
            None => {
                self.touched.push(Touch {
                    symbol,
                    side,
                    price,
                    old,
                    new,
                });
                self.touched.len() - 1
            }
        }
    }
}

/// A read-only view of a live order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderView {
    pub order_id: u64,
    pub account: u64,
    pub symbol: u32,
    pub side: Side,
    pub price: i64,
    /// Visible open quantity (for a waiting stop: its quantity).
    pub qty: i64,
    /// Hidden iceberg reserve.
    pub hidden: i64,
    /// Waiting in the trigger book.
    pub is_stop: bool,
}

/// The matching engine.
#[derive(Debug, Default, Clone)]
pub struct Engine {
    pub(crate) books: Vec<Option<SymbolBook>>,
    pub(crate) st: State,
}

/// The aggressive side of a match.
#[derive(Debug)]
struct Taker {
    id: u64,
    account: u64,
    side: Side,
    /// Worst acceptable price (i64::MAX / i64::MIN for market orders).
    limit: i64,
    qty: i64,
    quote: i64,
    by_quote: bool,
    stp: StpMode,
    stp_expired: bool,
}

impl Taker {
    #[inline]
    fn crosses(&self, price: i64) -> bool {
        match self.side {
            Side::Buy => price <= self.limit,
            Side::Sell => price >= self.limit,
        }
    }
}

#[inline]
pub(crate) fn triggers_up(t: OrderType, side: Side) -> bool {
    matches!(
        (t, side),
        (OrderType::StopLoss | OrderType::StopLossLimit, Side::Buy)
            | (
                OrderType::TakeProfit | OrderType::TakeProfitLimit,
                Side::Sell
            )
    )
}

/// Allowed price range `[lo, hi]` of a band of `bps` basis points around `reference`:
/// `|price - reference| * 10_000 <= bps * reference`, i.e. `|price - reference| <= dev` with
/// `dev = floor(bps * reference / 10_000)` (the distance is an integer).
pub(crate) fn band_bounds(bps: i64, reference: i64) -> (i64, i64) {
    if bps == 0 || reference <= 0 {
        return (i64::MIN, i64::MAX);
    }
    // i64 fast path; i128 only when the product could overflow
    let dev = match bps.checked_mul(reference) {
        Some(p) => i128::from(p / 10_000),
        None => i128::from(bps) * i128::from(reference) / 10_000,
    };
    let r = i128::from(reference);
    let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    (clamp(r - dev), clamp(r + dev))
}

#[inline]
fn check_band(book: &SymbolBook, price: i64) -> Result<(), RejectReason> {
    let (lo, hi) = book.band;
    if price < lo || price > hi {
        return Err(RejectReason::PriceBand);
    }
    Ok(())
}

fn check_qty(book: &SymbolBook, qty: i64) -> Result<(), RejectReason> {
    let rules = &book.rules;
    if qty <= 0 {
        return Err(RejectReason::InvalidQuantity);
    }
    if !book.lot.divides(qty) {
        return Err(RejectReason::LotSize);
    }
    if qty < rules.min_qty {
        return Err(RejectReason::MinQty);
    }
    if qty > rules.max_qty {
        return Err(RejectReason::MaxQty);
    }
    Ok(())
}

fn check_price(book: &SymbolBook, price: i64) -> Result<(), RejectReason> {
    if price <= 0 {
        return Err(RejectReason::InvalidPrice);
    }
    if !book.tick.divides(price) {
        return Err(RejectReason::TickSize);
    }
    Ok(())
}

fn check_notional(rules: &SymbolRules, price: i64, qty: i64) -> Result<(), RejectReason> {
    let notional = price.checked_mul(qty).ok_or(RejectReason::Overflow)?;
    if notional < rules.min_notional {
        return Err(RejectReason::MinNotional);
    }
    Ok(())
}

fn validate(book: &SymbolBook, o: &NewOrder) -> Result<(), RejectReason> {
    let rules = &book.rules;
    let by_quote = o.order_type == OrderType::Market && o.qty == 0 && o.quote_qty != 0;
    if by_quote {
        if o.quote_qty < 0 || o.side != Side::Buy {
            return Err(RejectReason::InvalidQuantity);
        }
        if o.quote_qty < rules.min_notional {
            return Err(RejectReason::MinNotional);
        }
    } else {
        if o.quote_qty != 0 {
            return Err(RejectReason::InvalidQuantity);
        }
        check_qty(book, o.qty)?;
    }
    let priced = o.order_type.has_price();
    if priced {
        check_price(book, o.price)?;
    }
    if o.order_type.is_stop() {
        if o.stop_price <= 0 {
            return Err(RejectReason::InvalidStopPrice);
        }
        if !book.tick.divides(o.stop_price) {
            return Err(RejectReason::TickSize);
        }
    }
    if o.iceberg_qty != 0
        && (o.iceberg_qty < 0
            || !priced
            || o.tif != TimeInForce::Gtc
            || o.iceberg_qty >= o.qty
            || !book.lot.divides(o.iceberg_qty))
    {
        return Err(RejectReason::InvalidIceberg);
    }
    if o.order_type == OrderType::LimitMaker && o.tif != TimeInForce::Gtc {
        return Err(RejectReason::InvalidTimeInForce);
    }
    if priced {
        check_notional(rules, o.price, o.qty)?;
        check_band(book, o.price)?;
    }
    Ok(())
}

/// Whether a FOK taker can be filled completely, given its STP mode.
fn fok_fillable(book: &SymbolBook, st: &State, o: &NewOrder, limit: i64) -> bool {
    let ladder = book.ladder(o.side.opposite());
    let mut sum = 0i64;
    for i in (0..ladder.levels.len()).rev() {
        let price = ladder.levels[i].price;
        let ok = match o.side {
            Side::Buy => price <= limit,
            Side::Sell => price >= limit,
        };
        if !ok {
            return false;
        }
        for slot in ladder.slots(&st.arena, i) {
            let m = st.arena.get(slot);
            if o.stp != StpMode::None && m.account == o.account {
                if o.stp == StpMode::ExpireMaker {
                    continue;
                }
                return false;
            }
            sum = sum.saturating_add(m.open());
            if sum >= o.qty {
                return true;
            }
        }
    }
    false
}

/// Take liquidity for `t` from the opposite side of `book`.
fn match_taker(
    book: &mut SymbolBook,
    st: &mut State,
    out: &mut Vec<Event>,
    symbol: u32,
    t: &mut Taker,
) {
    let maker_side = t.side.opposite();
    let mut last = 0i64;
    // The level being consumed (its place in the touch list and its price): touched once, not
    // once per maker; its total is written back when it is left and at the end.
    let mut cur: Option<(usize, i64)> = None;
    loop {
        let ladder = book.ladder_mut(maker_side);
        let Some(li) = ladder.levels.len().checked_sub(1) else {
            break;
        };
        let (price, head, level_qty) = {
            let l = &ladder.levels[li];
            (l.price, l.head, l.qty)
        };
        if !t.crosses(price) {
            break;
        }
        let avail = if t.by_quote { t.quote / price } else { t.qty };
        if avail <= 0 {
            break;
        }
        if cur.map(|c| c.1) != Some(price) {
            // Only the top level is consumed, so a new top means the previous one is gone.
            if let Some((ti, _)) = cur {
                st.touched[ti].new = 0;
            }
            let ti = st.touch(symbol, maker_side, price, level_qty, level_qty);
            cur = Some((ti, price));
        }
        let maker = *st.arena.get(head);
        if t.stp != StpMode::None && maker.account == t.account {
            let mode = if t.by_quote && t.stp == StpMode::Decrement {
                StpMode::ExpireTaker
            } else {
                t.stp
            };
            match mode {
                StpMode::ExpireMaker | StpMode::ExpireBoth => {
                    ladder.levels[li].qty -= maker.qty;
                    ladder.unlink(&mut st.arena, li, head);
                    st.arena.release(head);
                    st.ids.remove_book(maker.id);
                    st.emit(
                        out,
                        symbol,
                        EventKind::Expired {
                            order_id: maker.id,
                            account: maker.account,
                            qty: maker.open(),
                            remaining: 0,
                            reason: CancelReason::Stp,
                        },
                    );
                    if mode == StpMode::ExpireBoth {
                        t.stp_expired = true;
                        break;
                    }
                    continue;
                }
                StpMode::Decrement => {
                    let d = avail.min(maker.open());
                    t.qty -= d;
                    st.emit(
                        out,
                        symbol,
                        EventKind::Expired {
                            order_id: t.id,
                            account: t.account,
                            qty: d,
                            remaining: t.qty,
                            reason: CancelReason::Stp,
                        },
                    );
                    let m = st.arena.get_mut(head);
                    let from_visible = d.min(m.qty);
                    m.qty -= from_visible;
                    m.hidden -= d - from_visible;
                    let (open, vis, hidden, display) = (m.open(), m.qty, m.hidden, m.display);
                    ladder.levels[li].qty -= from_visible;
                    st.emit(
                        out,
                        symbol,
                        EventKind::Expired {
                            order_id: maker.id,
                            account: maker.account,
                            qty: d,
                            remaining: open,
                            reason: CancelReason::Stp,
                        },
                    );
                    if open == 0 {
                        ladder.unlink(&mut st.arena, li, head);
                        st.arena.release(head);
                        st.ids.remove_book(maker.id);
                    } else if vis == 0 {
                        let refill = display.min(hidden);
                        let m = st.arena.get_mut(head);
                        m.hidden -= refill;
                        m.qty = refill;
                        ladder.levels[li].qty += refill;
                        ladder.rotate_head(&mut st.arena, li);
                    }
                    continue;
                }
                // ExpireTaker (None cannot reach here).
                _ => {
                    t.stp_expired = true;
                    break;
                }
            }
        }
        let q = avail.min(maker.qty);
        st.trade_id += 1;
        let trade_id = st.trade_id;
        st.emit(
            out,
            symbol,
            EventKind::Trade {
                trade_id,
                maker_order_id: maker.id,
                taker_order_id: t.id,
                maker_account: maker.account,
                taker_account: t.account,
                price,
                qty: q,
                aggressor: t.side,
            },
        );
        if t.by_quote {
            t.quote -= q * price;
        } else {
            t.qty -= q;
        }
        last = price;
        let level = &mut ladder.levels[li];
        level.qty -= q;
        let m = st.arena.get_mut(head);
        m.qty -= q;
        if m.qty == 0 {
            if m.hidden > 0 {
                let refill = m.display.min(m.hidden);
                m.hidden -= refill;
                m.qty = refill;
                level.qty += refill;
                ladder.rotate_head(&mut st.arena, li);
            } else {
                ladder.unlink(&mut st.arena, li, head);
                st.arena.release(head);
                st.ids.remove_book(maker.id);
            }
        }
    }
    sync_touch(book.ladder(maker_side), st, cur);
    if last != 0 {
        book.set_last_price(last);
    }
}

/// Write the final total of the level last consumed into its touch entry: only the top
/// level is consumed, so if the top is no longer at that price the level is gone.
#[inline]
fn sync_touch(ladder: &Ladder, st: &mut State, cur: Option<(usize, i64)>) {
    if let Some((ti, price)) = cur {
        st.touched[ti].new = match ladder.best() {
            Some(l) if l.price == price => l.qty,
            _ => 0,
        };
    }
}

/// Put a (remaining) limit order on the book.
#[allow(clippy::too_many_arguments, reason = "plain data of one order")]
fn rest(
    book: &mut SymbolBook,
    st: &mut State,
    symbol: u32,
    id: u64,
    account: u64,
    side: Side,
    price: i64,
    qty: i64,
    display: i64,
    stp: StpMode,
) {
    let visible = if display > 0 { display.min(qty) } else { qty };
    let slot = st.arena.alloc(Order {
        id,
        account,
        price,
        qty: visible,
        hidden: qty - visible,
        display,
        prev: NIL,
        next: NIL,
        side,
        stp,
    });
    let old = book
        .ladder_mut(side)
        .push_back(&mut st.arena, side, price, slot);
    st.touch(symbol, side, price, old, old + visible);
    st.ids.insert_book(id, slot, symbol);
}

/// Run an accepted (or triggered) order as a taker, then rest or expire what is left.
fn execute(
    book: &mut SymbolBook,
    st: &mut State,
    out: &mut Vec<Event>,
    o: &NewOrder,
    market: bool,
) {
    let symbol = o.symbol;
    let by_quote = market && o.qty == 0;
    let limit = if market {
        match o.side {
            Side::Buy => i64::MAX,
            Side::Sell => i64::MIN,
        }
    } else {
        o.price
    };
    let mut t = Taker {
        id: o.order_id,
        account: o.account,
        side: o.side,
        limit,
        qty: o.qty,
        quote: o.quote_qty,
        by_quote,
        stp: o.stp,
        stp_expired: false,
    };
    match_taker(book, st, out, symbol, &mut t);
    let rem = if by_quote { 0 } else { t.qty };
    let reason = if t.stp_expired {
        CancelReason::Stp
    } else if by_quote {
        if t.quote == 0 {
            return;
        }
        if book.ladder(o.side.opposite()).levels.is_empty() {
            CancelReason::MarketNoLiquidity
        } else {
            CancelReason::QuoteExhausted
        }
    } else if rem == 0 {
        return;
    } else if market {
        CancelReason::MarketNoLiquidity
    } else if o.tif == TimeInForce::Gtc {
        rest(
            book,
            st,
            symbol,
            o.order_id,
            o.account,
            o.side,
            o.price,
            rem,
            o.iceberg_qty,
            o.stp,
        );
        return;
    } else {
        CancelReason::IocRemainder
    };
    st.emit(
        out,
        symbol,
        EventKind::Expired {
            order_id: o.order_id,
            account: o.account,
            qty: rem,
            remaining: 0,
            reason,
        },
    );
}

/// Trigger every stop whose condition the last price meets, repeatedly.
fn run_triggers(book: &mut SymbolBook, st: &mut State, out: &mut Vec<Event>, symbol: u32) {
    if book.stops.is_empty() {
        return;
    }
    loop {
        let last = book.last_price;
        if last == 0 {
            return;
        }
        // Most price moves trigger nothing: look at the nearest trigger price of each set first.
        let up = book.stops_up.first().is_some_and(|&(p, _)| p <= last);
        let down = book.stops_down.last().is_some_and(|&(p, _)| p >= last);
        if !up && !down {
            return;
        }
        let mut batch = std::mem::take(&mut st.trig_buf);
        batch.clear();
        for &(p, s) in &book.stops_up {
            if p > last {
                break;
            }
            batch.push((s, p));
        }
        for &(p, s) in book.stops_down.range((last, 0)..) {
            batch.push((s, p));
        }
        if batch.is_empty() {
            st.trig_buf = batch;
            return;
        }
        batch.sort_unstable();
        for &(s, p) in &batch {
            let Some(o) = book.stops.remove(&s) else {
                continue;
            };
            book.stops_up.remove(&(p, s));
            book.stops_down.remove(&(p, s));
            st.ids.remove(&o.order_id);
            st.emit(
                out,
                symbol,
                EventKind::Triggered {
                    order_id: o.order_id,
                    account: o.account,
                    stop_price: p,
                    last_price: book.last_price,
                },
            );
            let market = matches!(o.order_type, OrderType::StopLoss | OrderType::TakeProfit);
            let fail = if market && book.ladder(o.side.opposite()).levels.is_empty() {
                Some(CancelReason::MarketNoLiquidity)
            } else if !market && o.tif == TimeInForce::Fok && !fok_fillable(book, st, &o, o.price) {
                Some(CancelReason::FokNotFilled)
            } else {
                None
            };
            match fail {
                Some(reason) => st.emit(
                    out,
                    symbol,
                    EventKind::Expired {
                        order_id: o.order_id,
                        account: o.account,
                        qty: o.qty,
                        remaining: 0,
                        reason,
                    },
                ),
                None => execute(book, st, out, &o, market),
            }
        }
        st.trig_buf = batch;
    }
}

/// Take a resting order off the book.
fn remove_resting(book: &mut SymbolBook, st: &mut State, symbol: u32, slot: u32) -> Order {
    let o = *st.arena.get(slot);
    let ladder = book.ladder_mut(o.side);
    let i = ladder
        .find(key_of(o.side, o.price))
        .expect("a resting order's level exists");
    let old = ladder.levels[i].qty;
    ladder.levels[i].qty -= o.qty;
    st.touch(symbol, o.side, o.price, old, old - o.qty);
    ladder.unlink(&mut st.arena, i, slot);
    st.arena.release(slot);
    st.ids.remove_book(o.id);
    o
}

/// Take a waiting stop order out of the trigger book.
fn remove_stop(book: &mut SymbolBook, st: &mut State, stop_seq: u64) -> NewOrder {
    let o = book
        .stops
        .remove(&stop_seq)
        .expect("a waiting stop order exists");
    book.stops_up.remove(&(o.stop_price, stop_seq));
    book.stops_down.remove(&(o.stop_price, stop_seq));
    st.ids.remove(&o.order_id);
    o
}

impl Engine {
    /// An empty engine.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// An empty engine with room for `orders` live orders before it allocates again.
    pub fn with_capacity(orders: usize) -> Engine {
        let mut e = Engine::default();
        e.st.arena.orders.reserve(orders);
        e.st.ids.reserve(orders);
        e
    }

    /// Apply one command, appending its events to `out`.
    pub fn apply(&mut self, cmd: &Command, out: &mut Vec<Event>) {
        self.st.ts = cmd.ts_ns();
        match *cmd {
            Command::CreateSymbol {
                symbol,
                rules,
                reference_price,
                ..
            } => self.create_symbol(out, symbol, rules, reference_price),
            Command::New(ref o) => self.new_order(out, o),
            Command::Cancel {
                account,
                order_id,
                symbol,
                ..
            } => self.cancel(out, account, order_id, symbol),
            Command::Replace {
                account,
                order_id,
                symbol,
                new_price,
                new_qty,
                ..
            } => self.replace(out, account, order_id, symbol, new_price, new_qty),
            Command::MassCancel {
                account, symbol, ..
            } => self.mass_cancel(out, account, symbol),
        }
        self.flush_levels(out);
    }

    fn flush_levels(&mut self, out: &mut Vec<Event>) {
        let st = &mut self.st;
        for i in 0..st.touched.len() {
            let t = st.touched[i];
            if t.new != t.old {
                st.emit(
                    out,
                    t.symbol,
                    EventKind::BookLevel {
                        side: t.side,
                        price: t.price,
                        qty: t.new,
                    },
                );
            }
        }
        st.touched.clear();
    }

    fn create_symbol(
        &mut self,
        out: &mut Vec<Event>,
        symbol: u32,
        rules: SymbolRules,
        reference_price: i64,
    ) {
        let book = SymbolBook::new(rules, reference_price).filter(|_| symbol < MAX_SYMBOLS);
        let Some(book) = book else {
            self.st
                .reject(out, symbol, 0, 0, RejectReason::InvalidRules);
            return;
        };
        let idx = symbol as usize;
        if self.books.len() <= idx {
            self.books.resize_with(idx + 1, || None);
        }
        if self.books[idx].is_some() {
            self.st
                .reject(out, symbol, 0, 0, RejectReason::DuplicateSymbol);
            return;
        }
        self.books[idx] = Some(book);
        self.st
            .emit(out, symbol, EventKind::SymbolCreated { reference_price });
    }

    fn new_order(&mut self, out: &mut Vec<Event>, o: &NewOrder) {
        let st = &mut self.st;
        let Some(Some(book)) = self.books.get_mut(o.symbol as usize) else {
            st.reject(
                out,
                o.symbol,
                o.order_id,
                o.account,
                RejectReason::UnknownSymbol,
            );
            return;
        };
        if let Err(r) = validate(book, o) {
            st.reject(out, o.symbol, o.order_id, o.account, r);
            return;
        }
        if st.ids.contains_key(&o.order_id) {
            st.reject(
                out,
                o.symbol,
                o.order_id,
                o.account,
                RejectReason::DuplicateOrderId,
            );
            return;
        }
        let opposite_best = book.ladder(o.side.opposite()).best().map(|l| l.price);
        let check = match o.order_type {
            OrderType::LimitMaker => match opposite_best {
                Some(p)
                    if (o.side == Side::Buy && p <= o.price)
                        || (o.side == Side::Sell && p >= o.price) =>
                {
                    Err(RejectReason::WouldTakePostOnly)
                }
                _ => Ok(()),
            },
            OrderType::Market if opposite_best.is_none() => Err(RejectReason::NoLiquidity),
            t if t.is_stop() && book.last_price != 0 => {
                let up = triggers_up(t, o.side);
                if (up && book.last_price >= o.stop_price)
                    || (!up && book.last_price <= o.stop_price)
                {
                    Err(RejectReason::WouldTriggerImmediately)
                } else {
                    Ok(())
                }
            }
            OrderType::Limit
                if o.tif == TimeInForce::Fok && !fok_fillable(book, st, o, o.price) =>
            {
                Err(RejectReason::FokNotFilled)
            }
            _ => Ok(()),
        };
        if let Err(r) = check {
            st.reject(out, o.symbol, o.order_id, o.account, r);
            return;
        }
        st.emit(
            out,
            o.symbol,
            EventKind::Accepted {
                order_id: o.order_id,
                account: o.account,
                side: o.side,
                order_type: o.order_type,
                tif: o.tif,
                price: o.price,
                qty: o.qty,
                quote_qty: o.quote_qty,
            },
        );
        if o.order_type.is_stop() {
            st.stop_seq += 1;
            let s = st.stop_seq;
            book.stops.insert(s, *o);
            if triggers_up(o.order_type, o.side) {
                book.stops_up.insert((o.stop_price, s));
            } else {
                book.stops_down.insert((o.stop_price, s));
            }
            st.ids.insert(
                o.order_id,
                Loc::Stop {
                    symbol: o.symbol,
                    stop_seq: s,
                },
            );
            return;
        }
        let last_before = book.last_price;
        execute(book, st, out, o, o.order_type == OrderType::Market);
        if book.last_price != last_before {
            run_triggers(book, st, out, o.symbol);
        }
    }

    /// Find a live order of `account` in `symbol`.
    fn locate(&self, account: u64, order_id: u64, symbol: u32) -> Result<Loc, RejectReason> {
        let loc = self
            .st
            .ids
            .get(&order_id)
            .ok_or(RejectReason::UnknownOrder)?;
        let (s, owner) = match loc {
            Loc::Book { slot, symbol } => (symbol, self.st.arena.get(slot).account),
            Loc::Stop { symbol, stop_seq } => {
                let book = self.books[symbol as usize]
                    .as_ref()
                    .expect("a symbol with orders exists");
                (symbol, book.stops[&stop_seq].account)
            }
        };
        if s != symbol {
            return Err(RejectReason::UnknownOrder);
        }
        if owner != account {
            return Err(RejectReason::NotOwner);
        }
        Ok(loc)
    }

    fn cancel(&mut self, out: &mut Vec<Event>, account: u64, order_id: u64, symbol: u32) {
        let loc = match self.locate(account, order_id, symbol) {
            Ok(l) => l,
            Err(r) => {
                self.st.reject(out, symbol, order_id, account, r);
                return;
            }
        };
        self.remove_loc(out, loc, CancelReason::User);
    }

    fn remove_loc(&mut self, out: &mut Vec<Event>, loc: Loc, reason: CancelReason) {
        let st = &mut self.st;
        let (symbol, id, account, qty) = match loc {
            Loc::Book { slot, symbol } => {
                let book = self.books[symbol as usize].as_mut().expect("symbol exists");
                let o = remove_resting(book, st, symbol, slot);
                (symbol, o.id, o.account, o.open())
            }
            Loc::Stop { symbol, stop_seq } => {
                let book = self.books[symbol as usize].as_mut().expect("symbol exists");
                let o = remove_stop(book, st, stop_seq);
                (symbol, o.order_id, o.account, o.qty)
            }
        };
        st.emit(
            out,
            symbol,
            EventKind::Cancelled {
                order_id: id,
                account,
                qty,
                reason,
            },
        );
    }

    fn replace(
        &mut self,
        out: &mut Vec<Event>,
        account: u64,
        order_id: u64,
        symbol: u32,
        new_price: i64,
        new_qty: i64,
    ) {
        let result = self.try_replace(out, account, order_id, symbol, new_price, new_qty);
        if let Err(r) = result {
            self.st.reject(out, symbol, order_id, account, r);
        }
    }

    fn try_replace(
        &mut self,
        out: &mut Vec<Event>,
        account: u64,
        order_id: u64,
        symbol: u32,
        new_price: i64,
        new_qty: i64,
    ) -> Result<(), RejectReason> {
        let slot = match self.locate(account, order_id, symbol)? {
            Loc::Book { slot, .. } => slot,
            Loc::Stop { .. } => return Err(RejectReason::NotReplaceable),
        };
        let st = &mut self.st;
        let book = self.books[symbol as usize].as_mut().expect("symbol exists");
        check_qty(book, new_qty)?;
        check_price(book, new_price)?;
        check_notional(&book.rules, new_price, new_qty)?;
        let o = *st.arena.get(slot);
        if new_price != o.price {
            check_band(book, new_price)?;
        }
        if new_price == o.price && new_qty <= o.open() {
            let ladder = book.ladder_mut(o.side);
            let i = ladder
                .find(key_of(o.side, o.price))
                .expect("a resting order's level exists");
            let visible = o.qty.min(new_qty);
            let old = ladder.levels[i].qty;
            ladder.levels[i].qty -= o.qty - visible;
            st.touch(symbol, o.side, o.price, old, ladder.levels[i].qty);
            let m = st.arena.get_mut(slot);
            m.qty = visible;
            m.hidden = new_qty - visible;
            st.emit(
                out,
                symbol,
                EventKind::Replaced {
                    order_id,
                    account,
                    old_price: o.price,
                    old_qty: o.open(),
                    new_price,
                    new_qty,
                    kept_priority: true,
                },
            );
            return Ok(());
        }
        remove_resting(book, st, symbol, slot);
        st.emit(
            out,
            symbol,
            EventKind::Replaced {
                order_id,
                account,
                old_price: o.price,
                old_qty: o.open(),
                new_price,
                new_qty,
                kept_priority: false,
            },
        );
        let display = if o.display < new_qty { o.display } else { 0 };
        let n = NewOrder {
            iceberg_qty: display,
            stp: o.stp,
            ..NewOrder::limit(st.ts, account, order_id, symbol, o.side, new_price, new_qty)
        };
        let last_before = book.last_price;
        execute(book, st, out, &n, false);
        if book.last_price != last_before {
            run_triggers(book, st, out, symbol);
        }
        Ok(())
    }

    fn mass_cancel(&mut self, out: &mut Vec<Event>, account: u64, symbol: Option<u32>) {
        let symbols: std::ops::Range<u32> = match symbol {
            Some(s) => {
                if !matches!(self.books.get(s as usize), Some(Some(_))) {
                    self.st
                        .reject(out, s, 0, account, RejectReason::UnknownSymbol);
                    return;
                }
                s..s + 1
            }
            None => 0..self.books.len() as u32,
        };
        for s in symbols {
            let Some(Some(book)) = self.books.get(s as usize) else {
                continue;
            };
            let mut locs: Vec<Loc> = Vec::new();
            for side in [Side::Buy, Side::Sell] {
                let ladder = book.ladder(side);
                for i in (0..ladder.levels.len()).rev() {
                    for slot in ladder.slots(&self.st.arena, i) {
                        if self.st.arena.get(slot).account == account {
                            locs.push(Loc::Book { slot, symbol: s });
                        }
                    }
                }
            }
            for (&stop_seq, o) in &book.stops {
                if o.account == account {
                    locs.push(Loc::Stop {
                        symbol: s,
                        stop_seq,
                    });
                }
            }
            for loc in locs {
                self.remove_loc(out, loc, CancelReason::MassCancel);
            }
        }
    }

    // ---- queries ----

    /// Best bid (price, visible qty).
    pub fn best_bid(&self, symbol: u32) -> Option<(i64, i64)> {
        self.book(symbol)?.bids.best().map(|l| (l.price, l.qty))
    }

    /// Best ask (price, visible qty).
    pub fn best_ask(&self, symbol: u32) -> Option<(i64, i64)> {
        self.book(symbol)?.asks.best().map(|l| (l.price, l.qty))
    }

    /// Up to `n` levels of one side, best first, as (price, visible qty).
    pub fn depth(&self, symbol: u32, side: Side, n: usize) -> Vec<(i64, i64)> {
        match self.book(symbol) {
            Some(b) => b
                .ladder(side)
                .levels
                .iter()
                .rev()
                .take(n)
                .map(|l| (l.price, l.qty))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Order ids and visible quantities at one level, front of the queue first.
    pub fn level_orders(&self, symbol: u32, side: Side, price: i64) -> Vec<(u64, i64)> {
        let Some(b) = self.book(symbol) else {
            return Vec::new();
        };
        let ladder = b.ladder(side);
        match ladder.find(key_of(side, price)) {
            Ok(i) => ladder
                .slots(&self.st.arena, i)
                .map(|s| {
                    let o = self.st.arena.get(s);
                    (o.id, o.qty)
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Look up a live order.
    pub fn order(&self, order_id: u64) -> Option<OrderView> {
        match self.st.ids.get(&order_id)? {
            Loc::Book { slot, symbol } => {
                let o = self.st.arena.get(slot);
                Some(OrderView {
                    order_id,
                    account: o.account,
                    symbol,
                    side: o.side,
                    price: o.price,
                    qty: o.qty,
                    hidden: o.hidden,
                    is_stop: false,
                })
            }
            Loc::Stop { symbol, stop_seq } => {
                let o = &self.book(symbol)?.stops[&stop_seq];
                Some(OrderView {
                    order_id,
                    account: o.account,
                    symbol,
                    side: o.side,
                    price: o.price,
                    qty: o.qty,
                    hidden: 0,
                    is_stop: true,
                })
            }
        }
    }

    /// Last trade price of a symbol (None before the first trade).
    pub fn last_price(&self, symbol: u32) -> Option<i64> {
        self.book(symbol).map(|b| b.last_price).filter(|&p| p != 0)
    }

    /// Number of the last event emitted.
    pub fn seq(&self) -> u64 {
        self.st.seq
    }

    /// Number of live orders (resting and waiting stops).
    pub fn open_orders(&self) -> usize {
        self.st.ids.len()
    }

    /// Ids of the symbols listed, ascending.
    pub fn symbols(&self) -> Vec<u32> {
        (0..self.books.len() as u32)
            .filter(|&s| self.books[s as usize].is_some())
            .collect()
    }

    fn book(&self, symbol: u32) -> Option<&SymbolBook> {
        self.books.get(symbol as usize)?.as_ref()
    }
}
