//! A deliberately simple reference order book for one symbol: a flat `Vec` of orders, the best
//! maker found by a full scan each time. Slow and obviously right; property tests compare the
//! fast engine with it. Covers limit (GTC/IOC/FOK, post-only), market by quantity, cancel,
//! replace and all STP modes; not icebergs, stops or quote orders.

use crate::types::{Side, StpMode, TimeInForce};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NOrder {
    id: u64,
    account: u64,
    side: Side,
    price: i64,
    qty: i64,
    arrival: u64,
    stp: StpMode,
}

/// One fill seen by the oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NaiveTrade {
    pub maker: u64,
    pub taker: u64,
    pub price: i64,
    pub qty: i64,
}

/// The oracle book.
#[derive(Debug, Clone, Default)]
pub struct NaiveBook {
    orders: Vec<NOrder>,
    arrivals: u64,
}

/// A new order for the oracle: `price: None` is a market order.
#[derive(Debug, Clone, Copy)]
pub struct NaiveOrder {
    pub id: u64,
    pub account: u64,
    pub side: Side,
    pub price: Option<i64>,
    pub qty: i64,
    pub tif: TimeInForce,
    pub post_only: bool,
    pub stp: StpMode,
}

impl NaiveBook {
    /// Empty book.
    pub fn new() -> NaiveBook {
        NaiveBook::default()
    }

    fn crosses(side: Side, limit: Option<i64>, maker_price: i64) -> bool {
        match (side, limit) {
            (_, None) => true,
            (Side::Buy, Some(l)) => maker_price <= l,
            (Side::Sell, Some(l)) => maker_price >= l,
        }
    }

    /// Index of the best maker for a taker on `side` (best price, then earliest arrival).
    fn best_maker(&self, side: Side, limit: Option<i64>) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, o) in self.orders.iter().enumerate() {
            if o.side == side || !Self::crosses(side, limit, o.price) {
                continue;
            }
            best = match best {
                None => Some(i),
                Some(b) => {
                    let cur = &self.orders[b];
                    let better = match side {
                        Side::Buy => o.price < cur.price,
                        Side::Sell => o.price > cur.price,
                    };
                    if better || (o.price == cur.price && o.arrival < cur.arrival) {
                        Some(i)
                    } else {
                        Some(b)
                    }
                }
            };
        }
        best
    }

    /// Whether an order id is live.
    pub fn contains(&self, id: u64) -> bool {
        self.orders.iter().any(|o| o.id == id)
    }

    /// Submit an order; returns its fills. Duplicates, post-only crosses and FOK misses do nothing.
    pub fn submit(&mut self, o: NaiveOrder) -> Vec<NaiveTrade> {
        if self.contains(o.id) || o.qty <= 0 {
            return Vec::new();
        }
        if o.post_only && self.best_maker(o.side, o.price).is_some() {
            return Vec::new();
        }
        if o.tif == TimeInForce::Fok && o.price.is_some() {
            let mut trial = self.clone();
            let filled: i64 = trial.run(o).iter().map(|t| t.qty).sum();
            if filled < o.qty {
                return Vec::new();
            }
        }
        self.run(o)
    }

    fn run(&mut self, o: NaiveOrder) -> Vec<NaiveTrade> {
        let mut trades = Vec::new();
        let mut left = o.qty;
        while left > 0 {
            let Some(i) = self.best_maker(o.side, o.price) else {
                break;
            };
            let m = self.orders[i];
            if o.stp != StpMode::None && m.account == o.account {
                match o.stp {
                    StpMode::ExpireTaker => {
                        left = 0;
                        break;
                    }
                    StpMode::ExpireMaker => {
                        self.orders.remove(i);
                        continue;
                    }
                    StpMode::ExpireBoth => {
                        self.orders.remove(i);
                        left = 0;
                        break;
                    }
                    _ => {
                        let d = left.min(m.qty);
                        left -= d;
                        self.orders[i].qty -= d;
                        if self.orders[i].qty == 0 {
                            self.orders.remove(i);
                        }
                        continue;
                    }
                }
            }
            let q = left.min(m.qty);
            trades.push(NaiveTrade {
                maker: m.id,
                taker: o.id,
                price: m.price,
                qty: q,
            });
            left -= q;
            self.orders[i].qty -= q;
            if self.orders[i].qty == 0 {
                self.orders.remove(i);
            }
        }
        if left > 0 && o.tif == TimeInForce::Gtc {
            if let Some(price) = o.price {
                self.arrivals += 1;
                self.orders.push(NOrder {
                    id: o.id,
                    account: o.account,
                    side: o.side,
                    price,
                    qty: left,
                    arrival: self.arrivals,
                    stp: o.stp,
                });
            }
        }
        trades
    }

    /// Cancel a live order of `account`.
    pub fn cancel(&mut self, id: u64, account: u64) -> bool {
        match self
            .orders
            .iter()
            .position(|o| o.id == id && o.account == account)
        {
            Some(i) => {
                self.orders.remove(i);
                true
            }
            None => false,
        }
    }

    /// Replace: a decrease at the same price keeps priority, anything else re-enters as GTC.
    pub fn replace(&mut self, id: u64, account: u64, price: i64, qty: i64) -> Vec<NaiveTrade> {
        let Some(i) = self
            .orders
            .iter()
            .position(|o| o.id == id && o.account == account)
        else {
            return Vec::new();
        };
        if qty <= 0 || price <= 0 {
            return Vec::new();
        }
        let o = self.orders[i];
        if price == o.price && qty <= o.qty {
            self.orders[i].qty = qty;
            return Vec::new();
        }
        self.orders.remove(i);
        self.run(NaiveOrder {
            id,
            account,
            side: o.side,
            price: Some(price),
            qty,
            tif: TimeInForce::Gtc,
            post_only: false,
            stp: o.stp,
        })
    }

    /// Aggregated (price, qty) of one side, best first.
    pub fn depth(&self, side: Side) -> Vec<(i64, i64)> {
        let mut levels: Vec<(i64, i64)> = Vec::new();
        for o in self.orders.iter().filter(|o| o.side == side) {
            match levels.iter_mut().find(|l| l.0 == o.price) {
                Some(l) => l.1 += o.qty,
                None => levels.push((o.price, o.qty)),
            }
        }
        match side {
            Side::Buy => levels.sort_by_key(|l| std::cmp::Reverse(l.0)),
            Side::Sell => levels.sort_by_key(|l| l.0),
        }
        levels
    }

    /// Ids at one price of one side in queue order.
    pub fn queue(&self, side: Side, price: i64) -> Vec<u64> {
        let mut v: Vec<&NOrder> = self
            .orders
            .iter()
            .filter(|o| o.side == side && o.price == price)
            .collect();
        v.sort_by_key(|o| o.arrival);
        v.iter().map(|o| o.id).collect()
    }
}
