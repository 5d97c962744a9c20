//! Replay of a LOBSTER level-1 message file through the engine, checked row by row against the
//! matching order-book file.
//!
//! What a level-1 replay must do (see `testdata/lobster/README.md`):
//! - the first row is the starting state: its two top levels become anonymous quantities;
//! - when a level comes into view at the top (its price differs from the previous row's top),
//!   the volume the engine cannot explain is added as an anonymous order at the back of it;
//! - an order first seen in a cancellation or execution is created with the sum of everything
//!   the file later cancels and executes of it, queued by id among the known orders of its
//!   level (before the anonymous volume, which it is carved out of);
//! - a level that is not the top keeps only what later messages still name: anonymous volume
//!   is removed and each order is cut to its still-named quantity.
//!
//! State mode applies types 2/3/4 to the named order. Matching mode sends each type 4 as an
//! aggressive IOC order and lets the engine's price-time priority choose the resting order.

use engine_core::fxhash::FxHashMap;
use engine_core::{Command, Engine, Event, EventKind, NewOrder, Side, SymbolRules, TimeInForce};

const SYM: u32 = 1;
const ANON_BASE: u64 = 1 << 60;
const TAKER_BASE: u64 = 1 << 61;
const ACCOUNT_BOOK: u64 = 1;
const ACCOUNT_TAKER: u64 = 2;

/// One message row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    pub ts_ns: u64,
    pub kind: u8,
    pub id: u64,
    pub size: i64,
    pub price: i64,
    pub dir: i8,
}

/// One level-1 order-book row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRow {
    pub ask: Option<(i64, i64)>,
    pub bid: Option<(i64, i64)>,
}

/// Replay mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    State,
    Matching,
}

/// Result of a replay.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub messages: usize,
    pub rows_compared: usize,
    pub rows_matching: usize,
    pub executions: usize,
    pub executions_other_order: usize,
    /// One line per row that does not match.
    pub mismatches: Vec<String>,
    /// One line per execution that hit another order than the one named, with a reason.
    pub other_orders: Vec<String>,
}

impl Report {
    /// The summary JSON object printed as the last line.
    pub fn summary_json(&self) -> String {
        serde_json::json!({
            "messages": self.messages,
            "rows_compared": self.rows_compared,
            "rows_matching": self.rows_matching,
            "executions": self.executions,
            "executions_other_order": self.executions_other_order,
        })
        .to_string()
    }
}

/// Parse "34200.01746" into nanoseconds without floating point.
fn parse_time(s: &str) -> Result<u64, String> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: u64 = int.parse().map_err(|_| format!("bad time {s:?}"))?;
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad time {s:?}"));
    }
    let mut ns: u64 = 0;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(9) {
        ns = ns * 10 + u64::from(b - b'0');
    }
    Ok(secs * 1_000_000_000 + ns)
}

/// Parse a LOBSTER message file.
pub fn parse_messages(text: &str) -> Result<Vec<Message>, String> {
    let mut v = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() < 6 {
            return Err(format!("message line {}: expected 6 fields", n + 1));
        }
        let num = |i: usize| -> Result<i64, String> {
            f[i].parse::<i64>()
                .map_err(|_| format!("message line {}: bad field {}: {:?}", n + 1, i + 1, f[i]))
        };
        v.push(Message {
            ts_ns: parse_time(f[0])?,
            kind: u8::try_from(num(1)?).map_err(|_| format!("line {}: bad type", n + 1))?,
            id: u64::try_from(num(2)?).map_err(|_| format!("line {}: bad id", n + 1))?,
            size: num(3)?,
            price: num(4)?,
            dir: if num(5)? >= 0 { 1 } else { -1 },
        });
    }
    Ok(v)
}

/// Parse a LOBSTER level-1 order-book file (first four columns).
pub fn parse_rows(text: &str) -> Result<Vec<BookRow>, String> {
    let mut v = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<i64> = line
            .split(',')
            .take(4)
            .map(|x| x.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("order-book line {}: bad number", n + 1))?;
        if f.len() < 4 {
            return Err(format!("order-book line {}: expected 4 fields", n + 1));
        }
        let side = |p: i64, s: i64| (s > 0 && p.abs() != 9_999_999_999).then_some((p, s));
        v.push(BookRow {
            ask: side(f[0], f[1]),
            bid: side(f[2], f[3]),
        });
    }
    Ok(v)
}

fn fmt_top(t: Option<(i64, i64)>) -> String {
    match t {
        Some((p, s)) => format!("{s}@{p}"),
        None => "empty".to_string(),
    }
}

struct Replayer {
    e: Engine,
    out: Vec<Event>,
    ts: u64,
    next_anon: u64,
    next_taker: u64,
    /// Anonymous order ids per (side, price), oldest first.
    anon: FxHashMap<(Side, i64), Vec<u64>>,
    named_total: FxHashMap<u64, i64>,
    named_so_far: FxHashMap<u64, i64>,
    /// Orders whose first message (from the second row on) is an add.
    known: FxHashMap<u64, ()>,
}

impl Replayer {
    fn apply(&mut self, cmd: Command) {
        self.out.clear();
        self.e.apply(&cmd, &mut self.out);
    }

    fn add(&mut self, id: u64, side: Side, price: i64, qty: i64) {
        let o = NewOrder::limit(self.ts, ACCOUNT_BOOK, id, SYM, side, price, qty);
        self.apply(Command::New(o));
    }

    fn cancel(&mut self, id: u64) {
        self.apply(Command::Cancel {
            ts_ns: self.ts,
            account: ACCOUNT_BOOK,
            order_id: id,
            symbol: SYM,
        });
    }

    /// Set an order's open quantity; a pure decrease keeps its place.
    fn set_qty(&mut self, id: u64, qty: i64) {
        let Some(o) = self.e.order(id) else {
            return;
        };
        if qty <= 0 {
            self.cancel(id);
        } else if qty != o.qty {
            self.apply(Command::Replace {
                ts_ns: self.ts,
                account: ACCOUNT_BOOK,
                order_id: id,
                symbol: SYM,
                new_price: o.price,
                new_qty: qty,
            });
        }
    }

    fn is_anon(id: u64) -> bool {
        (ANON_BASE..TAKER_BASE).contains(&id)
    }

    fn named_after(&self, id: u64) -> i64 {
        self.named_total.get(&id).copied().unwrap_or(0)
            - self.named_so_far.get(&id).copied().unwrap_or(0)
    }

    fn add_anon(&mut self, side: Side, price: i64, qty: i64) {
        let id = ANON_BASE + self.next_anon;
        self.next_anon += 1;
        self.add(id, side, price, qty);
        self.anon.entry((side, price)).or_default().push(id);
    }

    /// Create an order first seen in a cancellation or execution, queued by id.
    fn insert_unknown(&mut self, id: u64, side: Side, price: i64) {
        let qty = self.named_after(id);
        if qty <= 0 {
            return;
        }
        // carve its volume out of the level's anonymous quantity
        let mut left = qty;
        let anon_ids = self.anon.get(&(side, price)).cloned().unwrap_or_default();
        for a in anon_ids {
            if left == 0 {
                break;
            }
            if let Some(o) = self.e.order(a) {
                let take = left.min(o.qty);
                left -= take;
                self.set_qty(a, o.qty - take);
            }
        }
        self.forget_dead_anon(side, price);
        // re-queue everything behind it
        let behind: Vec<(u64, i64)> = self
            .e
            .level_orders(SYM, side, price)
            .into_iter()
            .filter(|&(o, _)| o > id)
            .collect();
        for &(o, _) in &behind {
            self.cancel(o);
        }
        self.add(id, side, price, qty);
        for &(o, q) in &behind {
            self.add(o, side, price, q);
        }
    }

    fn forget_dead_anon(&mut self, side: Side, price: i64) {
        if let Some(v) = self.anon.get_mut(&(side, price)) {
            let e = &self.e;
            v.retain(|&a| e.order(a).is_some());
            if v.is_empty() {
                self.anon.remove(&(side, price));
            }
        }
    }

    /// Bring one side in line with what the file can tell about it.
    fn reconcile(&mut self, side: Side, top: Option<(i64, i64)>, prev_top: Option<(i64, i64)>) {
        let top_price = top.map(|t| t.0);
        for (p, _) in self.e.depth(SYM, side, usize::MAX) {
            if Some(p) == top_price {
                continue;
            }
            for (o, q) in self.e.level_orders(SYM, side, p) {
                if Self::is_anon(o) {
                    self.cancel(o);
                } else {
                    let keep = self.named_after(o).max(0);
                    if q > keep {
                        self.set_qty(o, keep);
                    }
                }
            }
            self.forget_dead_anon(side, p);
        }
        if let Some((p, s)) = top {
            if prev_top.map(|t| t.0) != Some(p) {
                let have = self
                    .e
                    .depth(SYM, side, usize::MAX)
                    .iter()
                    .find(|l| l.0 == p)
                    .map_or(0, |l| l.1);
                if s > have {
                    self.add_anon(side, p, s - have);
                }
            }
        }
    }
}

fn side_of(dir: i8) -> Side {
    if dir > 0 {
        Side::Buy
    } else {
        Side::Sell
    }
}

/// Replay `msgs` and compare with `rows` (one row per message).
pub fn replay(msgs: &[Message], rows: &[BookRow], mode: Mode) -> Report {
    let mut report = Report {
        messages: msgs.len(),
        ..Report::default()
    };
    if msgs.is_empty() || rows.is_empty() {
        return report;
    }
    let mut r = Replayer {
        e: Engine::new(),
        out: Vec::new(),
        ts: msgs[0].ts_ns,
        next_anon: 0,
        next_taker: 0,
        anon: FxHashMap::default(),
        named_total: FxHashMap::default(),
        named_so_far: FxHashMap::default(),
        known: FxHashMap::default(),
    };
    // Executions per order (index, time) to explain other-order fills.
    let mut execs_of: FxHashMap<u64, Vec<(usize, u64)>> = FxHashMap::default();
    for (i, m) in msgs.iter().enumerate().skip(1) {
        match m.kind {
            1 if !r.named_total.contains_key(&m.id) => {
                r.known.insert(m.id, ());
            }
            2..=4 => {
                *r.named_total.entry(m.id).or_default() += m.size;
                if m.kind == 4 {
                    execs_of.entry(m.id).or_default().push((i, m.ts_ns));
                }
            }
            _ => {}
        }
    }
    r.apply(Command::CreateSymbol {
        ts_ns: r.ts,
        symbol: SYM,
        rules: SymbolRules::default(),
        reference_price: 0,
    });
    // The first row is the starting state.
    if let Some((p, s)) = rows[0].ask {
        r.add_anon(Side::Sell, p, s);
    }
    if let Some((p, s)) = rows[0].bid {
        r.add_anon(Side::Buy, p, s);
    }
    for i in 1..msgs.len().min(rows.len()) {
        let m = msgs[i];
        r.ts = m.ts_ns;
        let side = side_of(m.dir);
        if matches!(m.kind, 2..=4) && r.e.order(m.id).is_none() && !r.known.contains_key(&m.id) {
            r.insert_unknown(m.id, side, m.price);
            r.known.insert(m.id, ());
        }
        if matches!(m.kind, 2..=4) {
            *r.named_so_far.entry(m.id).or_default() += m.size;
        }
        match (m.kind, mode) {
            (1, _) => r.add(m.id, side, m.price, m.size),
            (2, _) | (4, Mode::State) => {
                if m.kind == 4 {
                    report.executions += 1;
                }
                let open = r.e.order(m.id).map_or(0, |o| o.qty);
                r.set_qty(m.id, open - m.size);
            }
            (3, _) => r.cancel(m.id),
            (4, Mode::Matching) => {
                report.executions += 1;
                r.next_taker += 1;
                let taker = NewOrder::limit(
                    m.ts_ns,
                    ACCOUNT_TAKER,
                    TAKER_BASE + r.next_taker,
                    SYM,
                    side.opposite(),
                    m.price,
                    m.size,
                )
                .with_tif(TimeInForce::Ioc);
                let queue_before = r.e.level_orders(SYM, side, m.price);
                r.apply(Command::New(taker));
                let mut filled = 0;
                let mut others: Vec<(u64, i64, i64)> = Vec::new();
                for ev in &r.out {
                    if let EventKind::Trade {
                        maker_order_id,
                        price,
                        qty,
                        ..
                    } = ev.kind
                    {
                        filled += qty;
                        if maker_order_id != m.id {
                            others.push((maker_order_id, price, qty));
                        }
                    }
                }
                if !others.is_empty() || filled != m.size {
                    report.executions_other_order += 1;
                    let named_pos = queue_before.iter().position(|x| x.0 == m.id);
                    for (hit, price, qty) in &others {
                        let reason = if *price != m.price {
                            "a better-priced level was ahead in the book".to_string()
                        } else if Replayer::is_anon(*hit) {
                            "hit anonymous volume: the named order was not at the front".to_string()
                        } else {
                            let sweep = |later: bool| {
                                execs_of.get(hit).is_some_and(|v| {
                                    v.iter()
                                        .any(|&(j, t)| (j > i) == later && j != i && t == m.ts_ns)
                                })
                            };
                            let hit_pos = queue_before.iter().position(|x| x.0 == *hit);
                            if sweep(true) {
                                format!(
                                    "same timestamp sweep: LOBSTER filled later-queued order first (order {hit} is ahead in the queue and the feed executes it later in the same sweep)"
                                )
                            } else if sweep(false) {
                                format!(
                                    "same timestamp sweep: LOBSTER filled later-queued order first (the engine already gave the previous execution of this sweep to the named order, so it now fills order {hit}, which the feed executed earlier in the sweep)"
                                )
                            } else if execs_of
                                .get(hit)
                                .is_some_and(|v| v.iter().any(|&(j, _)| j > i))
                            {
                                format!(
                                    "time priority: order {hit} (queue position {hit_pos:?}) was ahead of the named order (position {named_pos:?}); the feed executes it later"
                                )
                            } else {
                                format!(
                                    "time priority: order {hit} (queue position {hit_pos:?}) was ahead of the named order (position {named_pos:?}); the feed never executes it"
                                )
                            }
                        };
                        report.other_orders.push(format!(
                            "message {} (t={}ns): execution of order {} ({}@{}) hit order {} ({}@{}): {}",
                            i + 1,
                            m.ts_ns,
                            m.id,
                            m.size,
                            m.price,
                            hit,
                            qty,
                            price,
                            reason
                        ));
                    }
                    if filled != m.size {
                        report.other_orders.push(format!(
                            "message {} (t={}ns): execution of order {} ({}@{}) filled only {}: the engine book had less volume at that price",
                            i + 1, m.ts_ns, m.id, m.size, m.price, filled
                        ));
                    }
                }
            }
            _ => {}
        }
        let row = rows[i];
        let prev = rows[i - 1];
        r.reconcile(Side::Sell, row.ask, prev.ask);
        r.reconcile(Side::Buy, row.bid, prev.bid);
        report.rows_compared += 1;
        let ask = r.e.best_ask(SYM);
        let bid = r.e.best_bid(SYM);
        if ask == row.ask && bid == row.bid {
            report.rows_matching += 1;
        } else {
            report.mismatches.push(format!(
                "row {} after message {} (type {}, order {}): engine ask {} bid {} vs file ask {} bid {}",
                i + 1,
                i + 1,
                m.kind,
                m.id,
                fmt_top(ask),
                fmt_top(bid),
                fmt_top(row.ask),
                fmt_top(row.bid)
            ));
        }
    }
    report
}
