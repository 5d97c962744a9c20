//! The engine-neutral workload file: generation (deterministic by seed) and parsing.
//!
//! One operation per line, comma-separated, `#` lines are comments. The first field names the
//! operation; each operation has its own fixed columns:
//!
//! ```text
//! S,ts_ns,symbol,tick_size,lot_size,min_qty,max_qty,min_notional,price_band_bps,reference_price
//! N,ts_ns,account,order_id,symbol,side,type,tif,price,qty,quote_qty,stop_price,iceberg_qty,stp
//! C,ts_ns,account,order_id,symbol
//! R,ts_ns,account,order_id,symbol,new_price,new_qty
//! X,ts_ns,account,symbol          (symbol `*` = every symbol)
//! ```
//! side: `B`/`S`; type: `L` limit, `M` market, `LM` limit maker, `SL` stop loss, `SLL` stop loss
//! limit, `TP` take profit, `TPL` take profit limit; tif: `GTC`/`IOC`/`FOK`; stp: `N` none,
//! `ET` expire taker, `EM` expire maker, `EB` expire both, `D` decrement. Prices and quantities
//! are integers in the symbol's units.

use std::fmt::Write as _;

use engine_core::fxhash::FxHashMap;
use engine_core::{
    Command, Engine, EventKind, NewOrder, OrderType, Side, StpMode, SymbolRules, TimeInForce,
};

/// SplitMix64: small, fast, deterministic.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

/// Generator settings.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadSpec {
    pub ops: u64,
    pub seed: u64,
    pub symbols: u32,
    pub accounts: u64,
}

struct SymState {
    mid: i64,
    base: i64,
    live: Vec<(u64, u64, i64, i64)>, // (order id, account, qty, price)
}

fn side_str(s: Side) -> &'static str {
    match s {
        Side::Buy => "B",
        Side::Sell => "S",
    }
}

/// Live orders per symbol past which the generator culls old ones instead of adding.
const LIVE_CAP: usize = 5_000;

/// Index of a live order to cancel or replace: three times in four one of the 32 most recent
/// (most cancels on a real venue hit orders placed moments ago), otherwise any.
fn pick(rng: &mut SplitMix64, len: usize) -> usize {
    if rng.below(4) == 0 || len <= 32 {
        rng.below(len as u64) as usize
    } else {
        len - 1 - rng.below(32) as usize
    }
}

/// Generate the workload text. About 60% limit orders (some post-only, iceberg and stop-limit),
/// 20% cancels, 10% IOC / market, 10% replaces, around a moving mid per symbol.
pub fn generate(spec: &WorkloadSpec) -> String {
    let mut rng = SplitMix64::new(spec.seed);
    let mut text = String::with_capacity(spec.ops as usize * 48);
    let _ = writeln!(
        text,
        "# engine-workload v1 seed={} ops={} symbols={} accounts={}",
        spec.seed, spec.ops, spec.symbols, spec.accounts
    );
    let mut ts: u64 = 1_000_000_000;
    let mut syms: Vec<SymState> = Vec::new();
    for s in 0..spec.symbols {
        let base = 10_000 + 1_000 * i64::from(s);
        let _ = writeln!(text, "S,{ts},{s},1,1,1,1000000,1,2000,{base}");
        syms.push(SymState {
            mid: base,
            base,
            live: Vec::new(),
        });
    }
    let mut next_id: u64 = 1;
    let mut engine = Engine::new();
    let mut out = Vec::new();
    let mut pos: FxHashMap<u64, usize> = FxHashMap::default();
    for cmd in parse(&text).expect("generated lines parse") {
        engine.apply(&cmd, &mut out);
    }
    for _ in 0..spec.ops {
        ts += 1 + rng.below(1_000);
        let s = rng.below(u64::from(spec.symbols)) as usize;
        let sym = &mut syms[s];
        // mean-reverting random walk of the mid
        if rng.below(8) == 0 {
            let drift = if sym.mid > sym.base + 200 {
                -1
            } else if sym.mid < sym.base - 200 {
                1
            } else {
                0
            };
            sym.mid += rng.range(-1, 1) + drift;
        }
        let account = 1 + rng.below(spec.accounts);
        let roll = rng.below(100);
        let side = if rng.below(2) == 0 {
            Side::Buy
        } else {
            Side::Sell
        };
        let sign = if side == Side::Buy { -1 } else { 1 };
        // distance from mid: mostly close, a few crossing
        let dist = rng.range(-2, 6) + rng.range(0, 6) * rng.range(0, 3);
        let price = (sym.mid + sign * dist).max(1);
        // a venue's books stay bounded: past the cap, an add becomes a cancel of an old order
        let crowded = sym.live.len() > LIVE_CAP;
        if (roll < 60 && !crowded) || sym.live.is_empty() {
            let qty = rng.range(1, 100);
            let id = next_id;
            next_id += 1;
            let kind = rng.below(100);
            let (ty, tif, stop, ice) = if kind < 88 {
                ("L", "GTC", 0, 0)
            } else if kind < 93 {
                ("LM", "GTC", 0, 0)
            } else if kind < 97 {
                ("L", "GTC", 0, (qty / 5).max(1).min(qty - 1))
            } else {
                // stop-limit away from the market
                let stop = sym.mid - sign * rng.range(5, 30);
                ("SLL", "GTC", stop.max(1), 0)
            };
            let stp = if rng.below(20) == 0 { "ET" } else { "N" };
            let _ = writeln!(
                text,
                "N,{ts},{account},{id},{s},{},{ty},{tif},{price},{qty},0,{stop},{ice},{stp}",
                side_str(side)
            );
        } else if roll < 80 || crowded {
            let k = if crowded && roll < 60 {
                rng.below(sym.live.len() as u64) as usize
            } else {
                pick(&mut rng, sym.live.len())
            };
            let (id, acct, _, _) = sym.live[k];
            let _ = writeln!(text, "C,{ts},{acct},{id},{s}");
        } else if roll < 90 {
            let id = next_id;
            next_id += 1;
            let qty = rng.range(1, 300);
            match rng.below(4) {
                0 => {
                    let _ = writeln!(
                        text,
                        "N,{ts},{account},{id},{s},{},M,IOC,0,{qty},0,0,0,N",
                        side_str(side)
                    );
                }
                1 => {
                    let quote = qty * sym.mid;
                    let _ = writeln!(text, "N,{ts},{account},{id},{s},B,M,IOC,0,0,{quote},0,0,N");
                }
                _ => {
                    let p = sym.mid - sign * rng.range(0, 3);
                    let _ = writeln!(
                        text,
                        "N,{ts},{account},{id},{s},{},L,IOC,{p},{qty},0,0,0,N",
                        side_str(side.opposite())
                    );
                }
            }
        } else {
            let k = pick(&mut rng, sym.live.len());
            let (id, acct, qty, old_price) = sym.live[k];
            let (new_price, new_qty) = if rng.below(2) == 0 {
                (old_price, (qty / 2).max(1))
            } else {
                (price, qty)
            };
            let _ = writeln!(text, "R,{ts},{acct},{id},{s},{new_price},{new_qty}");
        }
        // run the new line through an engine so that cancels and replaces name live orders
        let line_start = text[..text.len() - 1].rfind('\n').map_or(0, |i| i + 1);
        let cmd = parse(&text[line_start..]).expect("generated lines parse")[0];
        out.clear();
        engine.apply(&cmd, &mut out);
        for ev in &out {
            let ids = match ev.kind {
                EventKind::Trade {
                    maker_order_id,
                    taker_order_id,
                    ..
                } => [maker_order_id, taker_order_id],
                EventKind::Accepted { order_id, .. }
                | EventKind::Cancelled { order_id, .. }
                | EventKind::Expired { order_id, .. }
                | EventKind::Replaced { order_id, .. }
                | EventKind::Triggered { order_id, .. } => [order_id, order_id],
                _ => continue,
            };
            for id in ids {
                sync(&engine, &mut syms, &mut pos, id);
            }
        }
    }
    text
}

/// Bring the generator's list of live orders in line with the engine for one order id.
fn sync(engine: &Engine, syms: &mut [SymState], pos: &mut FxHashMap<u64, usize>, id: u64) {
    match engine.order(id).filter(|o| !o.is_stop) {
        Some(o) => {
            let live = &mut syms[o.symbol as usize].live;
            let entry = (id, o.account, o.qty + o.hidden, o.price);
            match pos.get(&id) {
                Some(&i) => live[i] = entry,
                None => {
                    pos.insert(id, live.len());
                    live.push(entry);
                }
            }
        }
        None => {
            if let Some(i) = pos.remove(&id) {
                for sym in syms.iter_mut() {
                    if sym.live.get(i).is_some_and(|e| e.0 == id) {
                        sym.live.swap_remove(i);
                        if let Some(moved) = sym.live.get(i) {
                            pos.insert(moved.0, i);
                        }
                        break;
                    }
                }
            }
        }
    }
}

fn field<T: std::str::FromStr>(f: &[&str], i: usize, line: usize) -> Result<T, String> {
    f.get(i)
        .ok_or_else(|| format!("line {line}: missing field {}", i + 1))?
        .parse::<T>()
        .map_err(|_| format!("line {line}: bad field {}: {:?}", i + 1, f[i]))
}

fn parse_side(s: &str, line: usize) -> Result<Side, String> {
    match s {
        "B" => Ok(Side::Buy),
        "S" => Ok(Side::Sell),
        _ => Err(format!("line {line}: bad side {s:?}")),
    }
}

/// Parse a workload file.
pub fn parse(text: &str) -> Result<Vec<Command>, String> {
    let mut ops = Vec::with_capacity(text.len() / 40);
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = raw.split(',').collect();
        let op = match f[0] {
            "S" => Command::CreateSymbol {
                ts_ns: field(&f, 1, line)?,
                symbol: field(&f, 2, line)?,
                rules: SymbolRules {
                    tick_size: field(&f, 3, line)?,
                    lot_size: field(&f, 4, line)?,
                    min_qty: field(&f, 5, line)?,
                    max_qty: field(&f, 6, line)?,
                    min_notional: field(&f, 7, line)?,
                    price_band_bps: field(&f, 8, line)?,
                },
                reference_price: field(&f, 9, line)?,
            },
            "N" => {
                let order_type = match f.get(6).copied().unwrap_or("") {
                    "L" => OrderType::Limit,
                    "M" => OrderType::Market,
                    "LM" => OrderType::LimitMaker,
                    "SL" => OrderType::StopLoss,
                    "SLL" => OrderType::StopLossLimit,
                    "TP" => OrderType::TakeProfit,
                    "TPL" => OrderType::TakeProfitLimit,
                    t => return Err(format!("line {line}: bad type {t:?}")),
                };
                let tif = match f.get(7).copied().unwrap_or("") {
                    "GTC" => TimeInForce::Gtc,
                    "IOC" => TimeInForce::Ioc,
                    "FOK" => TimeInForce::Fok,
                    t => return Err(format!("line {line}: bad tif {t:?}")),
                };
                let stp = match f.get(13).copied().unwrap_or("") {
                    "N" => StpMode::None,
                    "ET" => StpMode::ExpireTaker,
                    "EM" => StpMode::ExpireMaker,
                    "EB" => StpMode::ExpireBoth,
                    "D" => StpMode::Decrement,
                    t => return Err(format!("line {line}: bad stp {t:?}")),
                };
                Command::New(NewOrder {
                    ts_ns: field(&f, 1, line)?,
                    account: field(&f, 2, line)?,
                    order_id: field(&f, 3, line)?,
                    symbol: field(&f, 4, line)?,
                    side: parse_side(f.get(5).copied().unwrap_or(""), line)?,
                    order_type,
                    tif,
                    price: field(&f, 8, line)?,
                    qty: field(&f, 9, line)?,
                    quote_qty: field(&f, 10, line)?,
                    stop_price: field(&f, 11, line)?,
                    iceberg_qty: field(&f, 12, line)?,
                    stp,
                })
            }
            "C" => Command::Cancel {
                ts_ns: field(&f, 1, line)?,
                account: field(&f, 2, line)?,
                order_id: field(&f, 3, line)?,
                symbol: field(&f, 4, line)?,
            },
            "R" => Command::Replace {
                ts_ns: field(&f, 1, line)?,
                account: field(&f, 2, line)?,
                order_id: field(&f, 3, line)?,
                symbol: field(&f, 4, line)?,
                new_price: field(&f, 5, line)?,
                new_qty: field(&f, 6, line)?,
            },
            "X" => Command::MassCancel {
                ts_ns: field(&f, 1, line)?,
                account: field(&f, 2, line)?,
                symbol: match f.get(3).copied() {
                    Some("*") => None,
                    _ => Some(field(&f, 3, line)?),
                },
            },
            other => return Err(format!("line {line}: unknown operation {other:?}")),
        };
        ops.push(op);
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_workload_is_deterministic_and_parses() {
        let spec = WorkloadSpec {
            ops: 5_000,
            seed: 7,
            symbols: 3,
            accounts: 50,
        };
        let a = generate(&spec);
        assert_eq!(a, generate(&spec));
        assert_ne!(a, generate(&WorkloadSpec { seed: 8, ..spec }));
        let ops = parse(&a).expect("parses");
        assert_eq!(ops.len(), 5_003);
        let news = ops.iter().filter(|o| matches!(o, Command::New(_))).count();
        assert!((3_000..4_200).contains(&news), "{news}");
    }

    #[test]
    fn test_parse_rejects_garbage() {
        assert!(parse("Q,1,2").is_err());
        assert!(parse("C,1,2,x,0").is_err());
    }
}
