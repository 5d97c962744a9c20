//! Versioned binary snapshot of the whole engine state.
//!
//! Layout: magic `MXENGSNP` (8 bytes), format version `u32`, payload length `u64`, payload,
//! FNV-1a 64 checksum of the payload (`u64`). All integers little-endian. The payload holds the
//! counters, then each symbol in id order with its rules, prices, both sides best level first
//! with each level's queue front to back, and its waiting stops in submission order. Slab slot
//! numbers are not part of the state: they never reach the output.

use std::fmt;

use crate::book::{Order, NIL};
use crate::engine::{Engine, Loc, SymbolBook};
use crate::types::{NewOrder, OrderType, Side, StpMode, SymbolRules, TimeInForce};

const MAGIC: &[u8; 8] = b"MXENGSNP";
/// Current snapshot format version.
pub const FORMAT_VERSION: u32 = 1;

/// Why a snapshot could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    BadMagic,
    UnsupportedVersion(u32),
    Truncated,
    BadChecksum,
    Invalid(&'static str),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::BadMagic => write!(f, "not an engine snapshot (bad magic)"),
            SnapshotError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "unsupported snapshot format version {v} (expected {FORMAT_VERSION})"
                )
            }
            SnapshotError::Truncated => write!(f, "snapshot is truncated"),
            SnapshotError::BadChecksum => write!(f, "snapshot checksum mismatch"),
            SnapshotError::Invalid(what) => write!(f, "invalid snapshot content: {what}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

struct R<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self.pos.checked_add(n).ok_or(SnapshotError::Truncated)?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(SnapshotError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, SnapshotError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }
    fn i64(&mut self) -> Result<i64, SnapshotError> {
        Ok(self.u64()? as i64)
    }
}

fn side_code(s: Side) -> u8 {
    match s {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

fn side_from(v: u8) -> Result<Side, SnapshotError> {
    match v {
        0 => Ok(Side::Buy),
        1 => Ok(Side::Sell),
        _ => Err(SnapshotError::Invalid("side")),
    }
}

const STP: [StpMode; 5] = [
    StpMode::None,
    StpMode::ExpireTaker,
    StpMode::ExpireMaker,
    StpMode::ExpireBoth,
    StpMode::Decrement,
];
const TYPES: [OrderType; 7] = [
    OrderType::Limit,
    OrderType::Market,
    OrderType::LimitMaker,
    OrderType::StopLoss,
    OrderType::StopLossLimit,
    OrderType::TakeProfit,
    OrderType::TakeProfitLimit,
];
const TIFS: [TimeInForce; 3] = [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok];

fn code<T: PartialEq>(table: &[T], v: T) -> u8 {
    table.iter().position(|x| *x == v).unwrap_or(0) as u8
}

fn from_code<T: Copy>(table: &[T], v: u8, what: &'static str) -> Result<T, SnapshotError> {
    table
        .get(v as usize)
        .copied()
        .ok_or(SnapshotError::Invalid(what))
}

impl Engine {
    /// Serialize the whole state.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut w = W(Vec::new());
        w.u64(self.st.seq);
        w.u64(self.st.trade_id);
        w.u64(self.st.stop_seq);
        let present: Vec<u32> = self.symbols();
        w.u32(present.len() as u32);
        for s in present {
            let b = self.books[s as usize]
                .as_ref()
                .expect("listed symbol exists");
            w.u32(s);
            let r = &b.rules;
            for v in [
                r.tick_size,
                r.lot_size,
                r.min_qty,
                r.max_qty,
                r.min_notional,
                r.price_band_bps,
                b.reference_price,
                b.last_price,
            ] {
                w.i64(v);
            }
            for side in [Side::Buy, Side::Sell] {
                let ladder = b.ladder(side);
                w.u32(ladder.levels.len() as u32);
                for i in (0..ladder.levels.len()).rev() {
                    w.i64(ladder.levels[i].price);
                    let slots: Vec<u32> = ladder.slots(&self.st.arena, i).collect();
                    w.u32(slots.len() as u32);
                    for slot in slots {
                        let o = self.st.arena.get(slot);
                        w.u64(o.id);
                        w.u64(o.account);
                        w.i64(o.qty);
                        w.i64(o.hidden);
                        w.i64(o.display);
                        w.u8(code(&STP, o.stp));
                    }
                }
            }
            w.u32(b.stops.len() as u32);
            for (&stop_seq, o) in &b.stops {
                w.u64(stop_seq);
                w.u64(o.ts_ns);
                w.u64(o.account);
                w.u64(o.order_id);
                w.u8(side_code(o.side));
                w.u8(code(&TYPES, o.order_type));
                w.u8(code(&TIFS, o.tif));
                for v in [o.price, o.qty, o.quote_qty, o.stop_price, o.iceberg_qty] {
                    w.i64(v);
                }
                w.u8(code(&STP, o.stp));
            }
        }
        let payload = w.0;
        let mut out = Vec::with_capacity(payload.len() + 28);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&fnv1a(&payload).to_le_bytes());
        out
    }

    /// Rebuild an engine from [`Engine::snapshot`] output.
    pub fn restore(data: &[u8]) -> Result<Engine, SnapshotError> {
        let mut h = R { buf: data, pos: 0 };
        if h.take(8).map_err(|_| SnapshotError::BadMagic)? != MAGIC {
            return Err(SnapshotError::BadMagic);
        }
        let version = h.u32()?;
        if version != FORMAT_VERSION {
            return Err(SnapshotError::UnsupportedVersion(version));
        }
        let len = usize::try_from(h.u64()?).map_err(|_| SnapshotError::Truncated)?;
        let payload = h.take(len)?;
        let sum = h.u64()?;
        if fnv1a(payload) != sum {
            return Err(SnapshotError::BadChecksum);
        }
        let mut r = R {
            buf: payload,
            pos: 0,
        };
        let mut e = Engine::new();
        e.st.seq = r.u64()?;
        e.st.trade_id = r.u64()?;
        e.st.stop_seq = r.u64()?;
        let n = r.u32()?;
        for _ in 0..n {
            let s = r.u32()?;
            if s >= crate::engine::MAX_SYMBOLS {
                return Err(SnapshotError::Invalid("symbol id"));
            }
            let rules = SymbolRules {
                tick_size: r.i64()?,
                lot_size: r.i64()?,
                min_qty: r.i64()?,
                max_qty: r.i64()?,
                min_notional: r.i64()?,
                price_band_bps: r.i64()?,
            };
            let mut b =
                SymbolBook::new(rules, r.i64()?).ok_or(SnapshotError::Invalid("symbol rules"))?;
            b.set_last_price(r.i64()?);
            for side in [Side::Buy, Side::Sell] {
                let levels = r.u32()?;
                for _ in 0..levels {
                    let price = r.i64()?;
                    let count = r.u32()?;
                    for _ in 0..count {
                        let o = Order {
                            id: r.u64()?,
                            account: r.u64()?,
                            price,
                            qty: r.i64()?,
                            hidden: r.i64()?,
                            display: r.i64()?,
                            prev: NIL,
                            next: NIL,
                            side,
                            stp: from_code(&STP, r.u8()?, "stp")?,
                        };
                        if o.qty <= 0 {
                            return Err(SnapshotError::Invalid("resting quantity"));
                        }
                        let slot = e.st.arena.alloc(o);
                        b.ladder_mut(side)
                            .push_back(&mut e.st.arena, side, price, slot);
                        if e.st
                            .ids
                            .insert(o.id, Loc::Book { slot, symbol: s })
                            .is_some()
                        {
                            return Err(SnapshotError::Invalid("duplicate order id"));
                        }
                    }
                }
            }
            let stops = r.u32()?;
            for _ in 0..stops {
                let stop_seq = r.u64()?;
                let ts_ns = r.u64()?;
                let account = r.u64()?;
                let order_id = r.u64()?;
                let side = side_from(r.u8()?)?;
                let order_type = from_code(&TYPES, r.u8()?, "order type")?;
                let tif = from_code(&TIFS, r.u8()?, "time in force")?;
                let o = NewOrder {
                    ts_ns,
                    account,
                    order_id,
                    symbol: s,
                    side,
                    order_type,
                    tif,
                    price: r.i64()?,
                    qty: r.i64()?,
                    quote_qty: r.i64()?,
                    stop_price: r.i64()?,
                    iceberg_qty: r.i64()?,
                    stp: from_code(&STP, r.u8()?, "stp")?,
                };
                if crate::engine::triggers_up(order_type, side) {
                    b.stops_up.insert((o.stop_price, stop_seq));
                } else {
                    b.stops_down.insert((o.stop_price, stop_seq));
                }
                b.stops.insert(stop_seq, o);
                if e.st
                    .ids
                    .insert(
                        order_id,
                        Loc::Stop {
                            symbol: s,
                            stop_seq,
                        },
                    )
                    .is_some()
                {
                    return Err(SnapshotError::Invalid("duplicate order id"));
                }
            }
            let idx = s as usize;
            if e.books.len() <= idx {
                e.books.resize_with(idx + 1, || None);
            }
            e.books[idx] = Some(b);
        }
        if r.pos != payload.len() {
            return Err(SnapshotError::Invalid("trailing bytes"));
        }
        Ok(e)
    }
}
