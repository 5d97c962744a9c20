//! One shard: the engine of one input partition, the names of its symbols, and its snapshot.
//!
//! A shard is a pure function of the commands of its partition, in offset order: the same
//! commands give the same messages, byte for byte, whether they are processed live or
//! replayed after a restart. Nothing here reads a clock.
//!
//! - **Sequence numbers.** `seq` is the engine's gap-free sequence, one per shard (input
//!   partition of `orders.v1`), over the events of all three output topics together: every
//!   execution report, trade and book update carries the seq of its engine event(s); a
//!   consumer of all three topics sees every number of a shard exactly once (a fill is reported
//!   on `trades.v1` and, for both sides, on `executions.v1` under the one trade seq).
//! - **Order ids.** A new order's id is `(partition << 40) | (offset + 1)`: unique over the
//!   whole group, known before the engine sees the order, and the same on every replay.
//! - **Rejects outside the engine** (a command that does not parse, a bad field) still take a
//!   seq: the shard feeds the engine a cancel-all on a reserved symbol id that never exists,
//!   which the engine rejects with a fresh seq and no other effect.
//! - **Book snapshots** of every symbol of the shard are emitted after each input offset that
//!   is a multiple of `book_snapshot_interval` minus one, and after a symbol is listed.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::json::write_int;
use crate::wire::{
    cancel_reason, reject_reason, Book, CommandType, Correlation, Execution, RawCommand, Trade,
    WSide, WriteJson,
};
use engine_core::{
    Command, Engine, Event, EventKind, NewOrder, OrderType, Side, StpMode, SymbolRules,
    TimeInForce, MAX_SYMBOLS,
};

/// Symbol id handed to the engine for a name it does not know; never listed.
pub const RESERVED_SYMBOL: u32 = MAX_SYMBOLS - 1;

/// Output topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Executions = 0,
    Trades = 1,
    Book = 2,
}

/// One message to produce: ranges into [`Outbox::buf`].
#[derive(Debug, Clone)]
pub struct OutMsg {
    pub topic: Topic,
    pub key: std::ops::Range<usize>,
    pub payload: std::ops::Range<usize>,
}

/// Messages of a batch, serialized into one buffer.
#[derive(Debug, Default)]
pub struct Outbox {
    pub buf: Vec<u8>,
    pub msgs: Vec<OutMsg>,
}

impl Outbox {
    pub fn clear(&mut self) {
        self.buf.clear();
        self.msgs.clear();
    }

    /// Append a message whose key `write_key` writes into the buffer.
    fn push_with(
        &mut self,
        topic: Topic,
        write_key: impl FnOnce(&mut Vec<u8>),
        value: &impl WriteJson,
    ) {
        let k0 = self.buf.len();
        write_key(&mut self.buf);
        let p0 = self.buf.len();
        value.write_json(&mut self.buf);
        self.msgs.push(OutMsg {
            topic,
            key: k0..p0,
            payload: p0..self.buf.len(),
        });
    }

    fn push(&mut self, topic: Topic, key: &[u8], value: &impl WriteJson) {
        self.push_with(topic, |buf| buf.extend_from_slice(key), value);
    }

    fn push_account(&mut self, account: u64, value: &impl WriteJson) {
        self.push_with(Topic::Executions, |buf| write_int(buf, account), value);
    }

    pub fn key(&self, m: &OutMsg) -> &[u8] {
        &self.buf[m.key.clone()]
    }

    pub fn payload(&self, m: &OutMsg) -> &[u8] {
        &self.buf[m.payload.clone()]
    }
}

/// What processing one command did, for the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    pub events: u64,
    pub rejected: bool,
}

/// The state of one input partition.
#[derive(Debug)]
pub struct Shard {
    pub partition: i32,
    engine: Engine,
    /// Symbol id -> name.
    names: Vec<String>,
    ids: BTreeMap<String, u32>,
    /// Next input offset to process (everything before it is in the state).
    pub next_offset: i64,
    /// Offsets below this were committed before: replay them without producing.
    pub replay_until: i64,
    /// Commands since the last snapshot was written.
    pub since_snapshot: u64,
    /// Last seq per symbol id (metrics only; not in the snapshot).
    pub last_seq: Vec<u64>,
    events: Vec<Event>,
    bids: Vec<(i64, i64)>,
    asks: Vec<(i64, i64)>,
}

/// Why a command is refused before the engine sees it.
struct Refusal {
    reason: &'static str,
    detail: String,
}

fn malformed(detail: impl Into<String>) -> Refusal {
    Refusal {
        reason: "MALFORMED",
        detail: detail.into(),
    }
}

fn need<T>(v: Option<T>, field: &str, kind: CommandType) -> Result<T, Refusal> {
    v.ok_or_else(|| malformed(format!("missing field `{field}` for {kind:?}")))
}

impl Shard {
    /// An empty shard that starts at offset 0.
    pub fn new(partition: i32) -> Shard {
        Shard {
            partition,
            engine: Engine::new(),
            names: Vec::new(),
            ids: BTreeMap::new(),
            next_offset: 0,
            replay_until: 0,
            since_snapshot: 0,
            last_seq: Vec::new(),
            events: Vec::new(),
            bids: Vec::new(),
            asks: Vec::new(),
        }
    }

    /// The engine's last sequence number.
    pub fn seq(&self) -> u64 {
        self.engine.seq()
    }

    /// Names of the listed symbols, by id.
    pub fn symbol_names(&self) -> &[String] {
        &self.names
    }

    /// Process the command at `offset`. With `out`, its messages are appended there; without,
    /// the state changes the same way and nothing is produced (replay).
    pub fn process(
        &mut self,
        offset: i64,
        kafka_ts_ms: i64,
        payload: &[u8],
        out: Option<&mut Outbox>,
        book_snapshot_interval: i64,
    ) -> Outcome {
        self.next_offset = offset + 1;
        self.since_snapshot += 1;
        self.events.clear();
        let default_ts = u64::try_from(kafka_ts_ms).unwrap_or(0) * 1_000_000;
        let mut outcome = Outcome::default();
        let parsed = serde_json::from_slice::<RawCommand>(payload);
        let mut listed: Option<u32> = None;
        match &parsed {
            Ok(raw) => {
                let ts = raw.ts_ns.unwrap_or(default_ts);
                match self.command(raw, ts, offset) {
                    Ok(cmd) => {
                        self.engine.apply(&cmd, &mut self.events);
                        if let Command::CreateSymbol { symbol, .. } = cmd {
                            if matches!(
                                self.events.first(),
                                Some(Event {
                                    kind: EventKind::SymbolCreated { .. },
                                    ..
                                })
                            ) {
                                let name = raw.symbol.as_deref().unwrap_or_default().to_string();
                                self.ids.insert(name.clone(), symbol);
                                self.names.push(name);
                                self.last_seq.push(0);
                                listed = Some(symbol);
                            }
                        }
                        outcome.rejected = self
                            .events
                            .iter()
                            .any(|e| matches!(e.kind, EventKind::Rejected { .. }));
                        if let Some(out) = out {
                            self.emit(raw, out, listed, offset, book_snapshot_interval);
                        }
                    }
                    Err(refusal) => {
                        let corr = Correlation {
                            command_id: raw.command_id.clone(),
                            client_order_id: raw.client_order_id.clone(),
                            account: raw.account,
                        };
                        self.refuse(ts, &corr, raw.symbol.as_deref(), refusal, out);
                        outcome.rejected = true;
                    }
                }
            }
            Err(e) => {
                let corr: Correlation = serde_json::from_slice(payload).unwrap_or_default();
                let detail = e.to_string();
                // serde_json reads a too large integer as a u64 (or a float beyond u64).
                let too_big = (detail.contains("invalid value: integer")
                    && !detail.contains("integer `-"))
                    || detail.contains("out of range")
                    || float_beyond_i64(&detail);
                let reason = if too_big { "OVERFLOW" } else { "MALFORMED" };
                let refusal = Refusal { reason, detail };
                self.refuse(default_ts, &corr, None, refusal, out);
                outcome.rejected = true;
            }
        }
        for e in &self.events {
            if let Some(s) = self.last_seq.get_mut(e.symbol as usize) {
                *s = e.seq;
            }
        }
        outcome.events = self.events.len() as u64;
        outcome
    }

    fn symbol_id(&self, name: Option<&str>) -> u32 {
        name.and_then(|n| self.ids.get(n).copied())
            .unwrap_or(RESERVED_SYMBOL)
    }

    /// The engine command for a parsed message, or why there is none.
    fn command(&self, raw: &RawCommand, ts_ns: u64, offset: i64) -> Result<Command, Refusal> {
        let kind = raw.kind;
        let name = need(raw.symbol.as_deref(), "symbol", kind)?;
        if name.is_empty() || name.len() > 32 {
            return Err(malformed("symbol must have 1 to 32 characters"));
        }
        let symbol = self.symbol_id(Some(name));
        Ok(match kind {
            CommandType::CreateSymbol => {
                let symbol = if symbol != RESERVED_SYMBOL {
                    symbol // the engine refuses it as a duplicate
                } else if self.names.len() as u32 >= RESERVED_SYMBOL {
                    return Err(Refusal {
                        reason: "TOO_MANY_SYMBOLS",
                        detail: format!("a shard lists at most {RESERVED_SYMBOL} symbols"),
                    });
                } else {
                    self.names.len() as u32
                };
                Command::CreateSymbol {
                    ts_ns,
                    symbol,
                    rules: SymbolRules {
                        tick_size: need(raw.tick_size, "tick_size", kind)?,
                        lot_size: need(raw.lot_size, "lot_size", kind)?,
                        min_qty: raw.min_qty.unwrap_or(0),
                        max_qty: raw.max_qty.unwrap_or(i64::MAX),
                        min_notional: raw.min_notional.unwrap_or(0),
                        price_band_bps: raw.price_band_bps.unwrap_or(0),
                    },
                    reference_price: need(raw.reference_price, "reference_price", kind)?,
                }
            }
            CommandType::NewOrder => {
                let order_type: OrderType = need(raw.order_type, "order_type", kind)?.into();
                let default_tif = if order_type.has_price() {
                    TimeInForce::Gtc
                } else {
                    TimeInForce::Ioc
                };
                Command::New(NewOrder {
                    ts_ns,
                    account: need(raw.account, "account", kind)?,
                    order_id: order_id(self.partition, offset),
                    symbol,
                    side: Side::from(need(raw.side, "side", kind)?),
                    order_type,
                    tif: raw.time_in_force.map_or(default_tif, Into::into),
                    price: raw.price.unwrap_or(0),
                    qty: raw.qty.unwrap_or(0),
                    quote_qty: raw.quote_qty.unwrap_or(0),
                    stop_price: raw.stop_price.unwrap_or(0),
                    iceberg_qty: raw.iceberg_qty.unwrap_or(0),
                    stp: raw.stp.map_or(StpMode::None, Into::into),
                })
            }
            CommandType::Cancel => Command::Cancel {
                ts_ns,
                account: need(raw.account, "account", kind)?,
                order_id: need(raw.order_id, "order_id", kind)?,
                symbol,
            },
            CommandType::Replace => Command::Replace {
                ts_ns,
                account: need(raw.account, "account", kind)?,
                order_id: need(raw.order_id, "order_id", kind)?,
                symbol,
                new_price: need(raw.new_price, "new_price", kind)?,
                new_qty: need(raw.new_qty, "new_qty", kind)?,
            },
            CommandType::CancelAll => Command::MassCancel {
                ts_ns,
                account: need(raw.account, "account", kind)?,
                symbol: Some(symbol),
            },
        })
    }

    /// Reject a command the engine cannot take, under a fresh engine seq.
    fn refuse(
        &mut self,
        ts_ns: u64,
        corr: &Correlation,
        symbol: Option<&str>,
        refusal: Refusal,
        out: Option<&mut Outbox>,
    ) {
        let account = corr.account.unwrap_or(0);
        let cmd = Command::MassCancel {
            ts_ns,
            account,
            symbol: Some(RESERVED_SYMBOL),
        };
        self.engine.apply(&cmd, &mut self.events);
        debug_assert_eq!(
            self.events.len(),
            1,
            "a reserved-symbol cancel-all is one reject"
        );
        let (Some(out), Some(ev)) = (out, self.events.last()) else {
            return;
        };
        let mut x = Execution::new(
            ev.seq,
            self.partition,
            ev.ts_ns,
            symbol.unwrap_or(""),
            "REJECTED",
            account,
            0,
        );
        x.command_id = corr.command_id.as_deref();
        x.client_order_id = corr.client_order_id.as_deref();
        x.reason = Some(refusal.reason);
        x.detail = Some(&refusal.detail);
        out.push_account(account, &x);
    }

    /// Messages of the events of one command.
    fn emit(
        &mut self,
        raw: &RawCommand,
        out: &mut Outbox,
        listed: Option<u32>,
        offset: i64,
        book_snapshot_interval: i64,
    ) {
        let cmd_account = raw.account.unwrap_or(0);
        let command_id = raw.command_id.as_deref();
        let client_order_id = raw.client_order_id.as_deref();
        let wire_name = raw.symbol.as_deref().unwrap_or("");
        self.bids.clear();
        self.asks.clear();
        let mut book_seq: Option<(u64, u64)> = None;
        let mut book_symbol = 0u32;
        for ev in &self.events {
            let name = self
                .names
                .get(ev.symbol as usize)
                .map_or(wire_name, String::as_str);
            let report = |account: u64, order_id: u64, exec_type: &'static str| {
                let mut x = Execution::new(
                    ev.seq,
                    self.partition,
                    ev.ts_ns,
                    name,
                    exec_type,
                    account,
                    order_id,
                );
                if account == cmd_account {
                    x.command_id = command_id;
                    x.client_order_id = client_order_id;
                }
                x
            };
            match ev.kind {
                EventKind::SymbolCreated { reference_price } => {
                    let mut x = report(0, 0, "SYMBOL_CREATED");
                    x.price = Some(reference_price);
                    out.push_account(0, &x);
                }
                EventKind::Accepted {
                    order_id,
                    account,
                    side,
                    order_type,
                    tif,
                    price,
                    qty,
                    quote_qty,
                } => {
                    let mut x = report(account, order_id, "NEW");
                    x.side = Some(side.into());
                    x.order_type = Some(order_type.into());
                    x.time_in_force = Some(tif.into());
                    x.price = Some(price);
                    x.qty = Some(qty);
                    x.quote_qty = Some(quote_qty);
                    out.push_account(account, &x);
                }
                EventKind::Rejected {
                    order_id,
                    account,
                    reason,
                } => {
                    let mut x = report(account, order_id, "REJECTED");
                    x.reason = Some(reject_reason(reason));
                    out.push_account(account, &x);
                }
                EventKind::Trade {
                    trade_id,
                    maker_order_id,
                    taker_order_id,
                    maker_account,
                    taker_account,
                    price,
                    qty,
                    aggressor,
                } => {
                    let t = Trade {
                        seq: ev.seq,
                        shard: self.partition,
                        ts_ns: ev.ts_ns,
                        symbol: name,
                        trade_id,
                        price,
                        qty,
                        aggressor: aggressor.into(),
                        maker_order_id,
                        taker_order_id,
                        maker_account,
                        taker_account,
                    };
                    out.push(Topic::Trades, name.as_bytes(), &t);
                    for (account, order_id, counter, side, liquidity) in [
                        (
                            maker_account,
                            maker_order_id,
                            taker_order_id,
                            aggressor.opposite(),
                            "MAKER",
                        ),
                        (
                            taker_account,
                            taker_order_id,
                            maker_order_id,
                            aggressor,
                            "TAKER",
                        ),
                    ] {
                        let mut x = report(account, order_id, "TRADE");
                        x.side = Some(WSide::from(side));
                        x.price = Some(price);
                        x.qty = Some(qty);
                        x.trade_id = Some(trade_id);
                        x.liquidity = Some(liquidity);
                        x.counter_order_id = Some(counter);
                        out.push_account(account, &x);
                    }
                }
                EventKind::Cancelled {
                    order_id,
                    account,
                    qty,
                    reason,
                } => {
                    let mut x = report(account, order_id, "CANCELED");
                    x.qty = Some(qty);
                    x.remaining_qty = Some(0);
                    x.reason = Some(cancel_reason(reason));
                    out.push_account(account, &x);
                }
                EventKind::Expired {
                    order_id,
                    account,
                    qty,
                    remaining,
                    reason,
                } => {
                    let mut x = report(account, order_id, "EXPIRED");
                    x.qty = Some(qty);
                    x.remaining_qty = Some(remaining);
                    x.reason = Some(cancel_reason(reason));
                    out.push_account(account, &x);
                }
                EventKind::Replaced {
                    order_id,
                    account,
                    old_price,
                    old_qty,
                    new_price,
                    new_qty,
                    kept_priority,
                } => {
                    let mut x = report(account, order_id, "REPLACED");
                    x.old_price = Some(old_price);
                    x.old_qty = Some(old_qty);
                    x.price = Some(new_price);
                    x.qty = Some(new_qty);
                    x.kept_priority = Some(kept_priority);
                    out.push_account(account, &x);
                }
                EventKind::Triggered {
                    order_id,
                    account,
                    stop_price,
                    last_price,
                } => {
                    let mut x = report(account, order_id, "TRIGGERED");
                    x.stop_price = Some(stop_price);
                    x.last_price = Some(last_price);
                    out.push_account(account, &x);
                }
                EventKind::BookLevel { side, price, qty } => {
                    // One command touches one symbol's book.
                    book_symbol = ev.symbol;
                    book_seq = Some(book_seq.map_or((ev.seq, ev.seq), |(f, _)| (f, ev.seq)));
                    match side {
                        Side::Buy => self.bids.push((price, qty)),
                        Side::Sell => self.asks.push((price, qty)),
                    }
                }
            }
        }
        if let Some((first_seq, last_seq)) = book_seq {
            let name = self.names[book_symbol as usize].as_str();
            let b = Book {
                kind: "DEPTH_UPDATE",
                shard: self.partition,
                ts_ns: self.events[0].ts_ns,
                symbol: name,
                first_seq,
                last_seq,
                bids: &self.bids,
                asks: &self.asks,
            };
            out.push(Topic::Book, name.as_bytes(), &b);
        }
        let ts = self.events.last().map_or(0, |e| e.ts_ns);
        if let Some(s) = listed {
            self.book_snapshot(s, ts, out);
        }
        if (offset + 1) % book_snapshot_interval == 0 {
            for s in 0..self.names.len() as u32 {
                self.book_snapshot(s, ts, out);
            }
        }
    }

    fn book_snapshot(&mut self, symbol: u32, ts_ns: u64, out: &mut Outbox) {
        let bids = self.engine.depth(symbol, Side::Buy, usize::MAX);
        let asks = self.engine.depth(symbol, Side::Sell, usize::MAX);
        let seq = self.engine.seq();
        let name = self.names[symbol as usize].as_str();
        let b = Book {
            kind: "SNAPSHOT",
            shard: self.partition,
            ts_ns,
            symbol: name,
            first_seq: seq,
            last_seq: seq,
            bids: &bids,
            asks: &asks,
        };
        out.push(Topic::Book, name.as_bytes(), &b);
    }

    /// Serialize: magic, version, partition, next offset, symbol names, engine snapshot,
    /// checksum.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(SNAP_MAGIC);
        b.extend_from_slice(&SNAP_VERSION.to_le_bytes());
        b.extend_from_slice(&self.partition.to_le_bytes());
        b.extend_from_slice(&self.next_offset.to_le_bytes());
        b.extend_from_slice(&(self.names.len() as u32).to_le_bytes());
        for n in &self.names {
            b.extend_from_slice(&(n.len() as u32).to_le_bytes());
            b.extend_from_slice(n.as_bytes());
        }
        let engine = self.engine.snapshot();
        b.extend_from_slice(&(engine.len() as u64).to_le_bytes());
        b.extend_from_slice(&engine);
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Inverse of [`Shard::to_bytes`].
    pub fn from_bytes(data: &[u8]) -> Result<Shard, String> {
        if data.len() < 8 + 8 {
            return Err("snapshot truncated".into());
        }
        let (body, sum) = data.split_at(data.len() - 8);
        if fnv1a(body).to_le_bytes() != sum {
            return Err("snapshot checksum mismatch".into());
        }
        let mut r = Reader { buf: body, pos: 0 };
        if r.take(8)? != SNAP_MAGIC {
            return Err("not a shard snapshot".into());
        }
        let version = u32::from_le_bytes(r.array()?);
        if version != SNAP_VERSION {
            return Err(format!("unsupported shard snapshot version {version}"));
        }
        let partition = i32::from_le_bytes(r.array()?);
        let next_offset = i64::from_le_bytes(r.array()?);
        let count = u32::from_le_bytes(r.array()?) as usize;
        let mut shard = Shard::new(partition);
        for id in 0..count {
            let len = u32::from_le_bytes(r.array()?) as usize;
            let name = std::str::from_utf8(r.take(len)?)
                .map_err(|_| "symbol name is not UTF-8")?
                .to_string();
            shard.ids.insert(name.clone(), id as u32);
            shard.names.push(name);
            shard.last_seq.push(0);
        }
        let len = u64::from_le_bytes(r.array()?) as usize;
        shard.engine = Engine::restore(r.take(len)?).map_err(|e| e.to_string())?;
        shard.next_offset = next_offset;
        Ok(shard)
    }
}

/// Whether serde's "invalid type: floating point `X`" names an integer too big for 64 bits
/// (serde_json reads integers beyond u64 as floats).
fn float_beyond_i64(detail: &str) -> bool {
    let Some(rest) = detail.split("floating point `").nth(1) else {
        return false;
    };
    let num = rest.split('`').next().unwrap_or("");
    num.parse::<f64>().is_ok_and(|v| v.abs() >= 9.2e18)
}

/// The id of the new order at `offset` of `partition`.
pub fn order_id(partition: i32, offset: i64) -> u64 {
    ((partition as u64) << 40) | (offset as u64 + 1)
}

const SNAP_MAGIC: &[u8; 8] = b"XISHARD1";
const SNAP_VERSION: u32 = 1;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("snapshot truncated")?;
        let s = self.buf.get(self.pos..end).ok_or("snapshot truncated")?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }
}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Where the snapshot of `partition` of `topic` lives for `group`.
pub fn snapshot_path(dir: &Path, group: &str, topic: &str, partition: i32) -> PathBuf {
    dir.join(group).join(format!("{topic}-{partition}.snap"))
}

/// Write atomically: a temp file in the same directory, fsync, rename, fsync the directory.
pub fn write_snapshot(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
}

/// Read a snapshot; `Ok(None)` when there is none.
pub fn read_snapshot(path: &Path) -> Result<Option<Shard>, String> {
    match fs::read(path) {
        Ok(data) => Shard::from_bytes(&data).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests;
