//! Order id -> location index. Ids below `DENSE_LIMIT` (the normal case: the service hands out
//! ids in sequence) live in a flat vector indexed by id, which keeps the busy recent ids in a
//! few cache lines and needs no hashing; other ids go to a hash map with a fixed hasher.
//! Waiting stop orders (rare) keep their location in a side map.

use crate::engine::Loc;
use crate::fxhash::FxHashMap;

/// Ids below this are indexed directly (8 bytes per id up to the largest id seen).
pub const DENSE_LIMIT: u64 = 1 << 24;

const EMPTY: u64 = 0;
const STOP: u64 = 1;
const BOOK: u64 = 1 << 63;

#[derive(Debug, Default, Clone)]
pub(crate) struct OrderIndex {
    dense: Vec<u64>,
    sparse: FxHashMap<u64, u64>,
    stops: FxHashMap<u64, (u32, u64)>,
    len: usize,
}

#[inline]
fn pack(loc: Loc) -> u64 {
    match loc {
        Loc::Book { slot, symbol } => BOOK | (u64::from(symbol) << 32) | u64::from(slot),
        Loc::Stop { .. } => STOP,
    }
}

impl OrderIndex {
    pub fn reserve(&mut self, n: usize) {
        self.dense.reserve(n.min(DENSE_LIMIT as usize));
    }

    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn raw(&self, id: u64) -> u64 {
        if id < DENSE_LIMIT {
            self.dense.get(id as usize).copied().unwrap_or(EMPTY)
        } else {
            self.sparse.get(&id).copied().unwrap_or(EMPTY)
        }
    }

    #[inline]
    fn unpack(&self, id: u64, v: u64) -> Option<Loc> {
        match v {
            EMPTY => None,
            STOP => self
                .stops
                .get(&id)
                .map(|&(symbol, stop_seq)| Loc::Stop { symbol, stop_seq }),
            _ => Some(Loc::Book {
                slot: v as u32,
                symbol: ((v >> 32) & 0xffff) as u32,
            }),
        }
    }

    #[inline]
    pub fn get(&self, id: &u64) -> Option<Loc> {
        self.unpack(*id, self.raw(*id))
    }

    #[inline]
    pub fn contains_key(&self, id: &u64) -> bool {
        self.raw(*id) != EMPTY
    }

    /// Insert; returns the previous location if the id was live.
    #[inline]
    pub fn insert(&mut self, id: u64, loc: Loc) -> Option<Loc> {
        let old = if self.contains_key(&id) {
            self.remove(&id)
        } else {
            None
        };
        if let Loc::Stop { symbol, stop_seq } = loc {
            self.stops.insert(id, (symbol, stop_seq));
        }
        let v = pack(loc);
        if id < DENSE_LIMIT {
            let i = id as usize;
            if i >= self.dense.len() {
                let new_len = (i + 1).max(self.dense.len() * 2).min(DENSE_LIMIT as usize);
                self.dense.resize(new_len, EMPTY);
            }
            self.dense[i] = v;
        } else {
            self.sparse.insert(id, v);
        }
        self.len += 1;
        old
    }

    #[inline]
    pub fn remove(&mut self, id: &u64) -> Option<Loc> {
        let id = *id;
        let v = if id < DENSE_LIMIT {
            match self.dense.get_mut(id as usize) {
                Some(slot) => std::mem::replace(slot, EMPTY),
                None => EMPTY,
            }
        } else {
            self.sparse.remove(&id).unwrap_or(EMPTY)
        };
        let loc = self.unpack(id, v);
        if v == STOP {
            self.stops.remove(&id);
        }
        if loc.is_some() {
            self.len -= 1;
        }
        loc
    }
}
