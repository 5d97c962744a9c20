//! Compact, deterministic little-endian binary encoding of events (the wire form).
//!
//! Layout: `tag: u8`, `seq: u64`, `ts_ns: u64`, `symbol: u32`, then the fields of the kind in
//! declaration order (`i64`/`u64` as 8 bytes, enums as one byte, bool as one byte).

use crate::types::{CancelReason, Event, EventKind, OrderType, RejectReason, Side, TimeInForce};

#[inline]
fn side(s: Side) -> u8 {
    match s {
        Side::Buy => 1,
        Side::Sell => 2,
    }
}

#[inline]
fn order_type(t: OrderType) -> u8 {
    match t {
        OrderType::Limit => 1,
        OrderType::Market => 2,
        OrderType::LimitMaker => 3,
        OrderType::StopLoss => 4,
        OrderType::StopLossLimit => 5,
        OrderType::TakeProfit => 6,
        OrderType::TakeProfitLimit => 7,
    }
}

#[inline]
fn tif(t: TimeInForce) -> u8 {
    match t {
        TimeInForce::Gtc => 1,
        TimeInForce::Ioc => 2,
        TimeInForce::Fok => 3,
    }
}

#[inline]
fn reject(r: RejectReason) -> u8 {
    r as u8
}

#[inline]
fn cancel(r: CancelReason) -> u8 {
    r as u8
}

/// Longest encoded event (a trade: 21 + 57 bytes).
pub const MAX_LEN: usize = 96;

struct Cur {
    b: [u8; MAX_LEN],
    n: usize,
}

impl Cur {
    #[inline(always)]
    fn put(&mut self, v: u8) {
        self.b[self.n] = v;
        self.n += 1;
    }

    #[inline(always)]
    fn put_slice(&mut self, v: &[u8]) {
        self.b[self.n..self.n + v.len()].copy_from_slice(v);
        self.n += v.len();
    }
}

/// Append the wire form of `ev` to `buf`.
#[inline]
pub fn encode(ev: &Event, out: &mut Vec<u8>) {
    let mut buf = Cur {
        b: [0u8; MAX_LEN],
        n: 0,
    };
    let buf = &mut buf;
    let tag: u8 = match ev.kind {
        EventKind::SymbolCreated { .. } => 1,
        EventKind::Accepted { .. } => 2,
        EventKind::Rejected { .. } => 3,
        EventKind::Trade { .. } => 4,
        EventKind::Cancelled { .. } => 5,
        EventKind::Expired { .. } => 6,
        EventKind::Replaced { .. } => 7,
        EventKind::Triggered { .. } => 8,
        EventKind::BookLevel { .. } => 9,
    };
    buf.put(tag);
    buf.put_slice(&ev.seq.to_le_bytes());
    buf.put_slice(&ev.ts_ns.to_le_bytes());
    buf.put_slice(&ev.symbol.to_le_bytes());
    let w64 = |buf: &mut Cur, v: u64| buf.put_slice(&v.to_le_bytes());
    let wi = |buf: &mut Cur, v: i64| buf.put_slice(&v.to_le_bytes());
    match ev.kind {
        EventKind::SymbolCreated { reference_price } => wi(buf, reference_price),
        EventKind::Accepted {
            order_id,
            account,
            side: s,
            order_type: t,
            tif: f,
            price,
            qty,
            quote_qty,
        } => {
            w64(buf, order_id);
            w64(buf, account);
            buf.put_slice(&[side(s), order_type(t), tif(f)]);
            wi(buf, price);
            wi(buf, qty);
            wi(buf, quote_qty);
        }
        EventKind::Rejected {
            order_id,
            account,
            reason,
        } => {
            w64(buf, order_id);
            w64(buf, account);
            buf.put(reject(reason));
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
            w64(buf, trade_id);
            w64(buf, maker_order_id);
            w64(buf, taker_order_id);
            w64(buf, maker_account);
            w64(buf, taker_account);
            wi(buf, price);
            wi(buf, qty);
            buf.put(side(aggressor));
        }
        EventKind::Cancelled {
            order_id,
            account,
            qty,
            reason,
        } => {
            w64(buf, order_id);
            w64(buf, account);
            wi(buf, qty);
            buf.put(cancel(reason));
        }
        EventKind::Expired {
            order_id,
            account,
            qty,
            remaining,
            reason,
        } => {
            w64(buf, order_id);
            w64(buf, account);
            wi(buf, qty);
            wi(buf, remaining);
            buf.put(cancel(reason));
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
            w64(buf, order_id);
            w64(buf, account);
            wi(buf, old_price);
            wi(buf, old_qty);
            wi(buf, new_price);
            wi(buf, new_qty);
            buf.put(u8::from(kept_priority));
        }
        EventKind::Triggered {
            order_id,
            account,
            stop_price,
            last_price,
        } => {
            w64(buf, order_id);
            w64(buf, account);
            wi(buf, stop_price);
            wi(buf, last_price);
        }
        EventKind::BookLevel {
            side: s,
            price,
            qty,
        } => {
            buf.put(side(s));
            wi(buf, price);
            wi(buf, qty);
        }
    }
    // A fixed-size copy compiles to a few vector stores; a variable one calls memcpy.
    let keep = out.len() + buf.n;
    out.extend_from_slice(&buf.b);
    out.truncate(keep);
}

/// Encode a batch of events.
pub fn encode_all(events: &[Event], buf: &mut Vec<u8>) {
    for ev in events {
        encode(ev, buf);
    }
}
