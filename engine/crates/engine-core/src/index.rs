//! Order id -> location index. Ids below `DENSE_LIMIT` (the normal case: the service hands out
//! ids in sequence) live in fixed-size chunks of a flat table indexed by id, which keeps the
//! busy recent ids in a few cache lines and needs no hashing; other ids go to a hash map with a
//! fixed hasher. Waiting stop orders (rare) keep their location in a side map.
//!
//! Why chunks: a single vector indexed by id would grow by doubling (copying tens of MB in one
//! command) and touch fresh pages as ids advance. A chunk whose ids are all gone is recycled
//! for the next ids instead, so at a steady state the index neither allocates nor page-faults,
//! and its size follows the span of live ids, not the largest id ever seen.

use crate::engine::Loc;
use crate::fxhash::FxHashMap;

/// Ids below this are indexed directly.
pub const DENSE_LIMIT: u64 = 1 << 24;

const CHUNK_BITS: u32 = 12;
/// Ids per chunk (32 KiB of entries).
const CHUNK: usize = 1 << CHUNK_BITS;
/// Empty chunks kept for reuse; more are freed.
const SPARE_CHUNKS: usize = 64;

const EMPTY: u64 = 0;
const STOP: u64 = 1;
const BOOK: u64 = 1 << 63;

/// Entries of one chunk; a fixed-size array, so that indexing it needs no bounds check.
type Entries = Box<[u64; CHUNK]>;

#[derive(Debug, Clone)]
struct Chunk {
    entries: Entries,
    live: u32,
}

fn empty_entries() -> Entries {
    vec![EMPTY; CHUNK]
        .into_boxed_slice()
        .try_into()
        .expect("a chunk has CHUNK entries")
}

#[derive(Debug, Default, Clone)]
pub(crate) struct OrderIndex {
    /// Chunk `c` holds ids `c * CHUNK .. (c + 1) * CHUNK`.
    dense: Vec<Option<Chunk>>,
    /// Empty chunks (all entries `EMPTY`) ready for reuse.
    spare: Vec<Entries>,
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

#[inline]
fn split(id: u64) -> (usize, usize) {
    ((id >> CHUNK_BITS) as usize, id as usize & (CHUNK - 1))
}

impl OrderIndex {
    /// Room for `n` live orders with ids in sequence before the index allocates again.
    pub fn reserve(&mut self, n: usize) {
        self.dense.reserve((DENSE_LIMIT as usize) >> CHUNK_BITS);
        let chunks = (n / CHUNK + 2).min(SPARE_CHUNKS);
        while self.spare.len() < chunks {
            self.spare.push(empty_entries());
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn raw(&self, id: u64) -> u64 {
        if id < DENSE_LIMIT {
            let (c, i) = split(id);
            match self.dense.get(c) {
                Some(Some(chunk)) => chunk.entries[i],
                _ => EMPTY,
            }
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

    /// Open chunk `c` with a spare chunk or a new one.
    #[cold]
    fn open_chunk(&mut self, c: usize) -> &mut Chunk {
        if self.dense.len() <= c {
            self.dense.resize_with(c + 1, || None);
        }
        let entries = self.spare.pop().unwrap_or_else(empty_entries);
        self.dense[c].insert(Chunk { entries, live: 0 })
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
        self.insert_absent(id, pack(loc));
        old
    }

    /// Place a resting order whose id the caller knows is not live (checked on entry).
    #[inline]
    pub fn insert_book(&mut self, id: u64, slot: u32, symbol: u32) {
        debug_assert!(!self.contains_key(&id), "order id {id} is live");
        self.insert_absent(id, pack(Loc::Book { slot, symbol }));
    }

    #[inline]
    fn insert_absent(&mut self, id: u64, v: u64) {
        if id < DENSE_LIMIT {
            let (c, i) = split(id);
            let chunk = match self.dense.get_mut(c) {
                Some(Some(chunk)) => chunk,
                _ => self.open_chunk(c),
            };
            chunk.entries[i] = v;
            chunk.live += 1;
        } else {
            self.sparse.insert(id, v);
        }
        self.len += 1;
    }

    /// Remove the id of an order the caller knows is resting on a book.
    #[inline]
    pub fn remove_book(&mut self, id: u64) {
        let v = if id < DENSE_LIMIT {
            self.take_dense(id)
        } else {
            self.sparse.remove(&id).unwrap_or(EMPTY)
        };
        debug_assert!(v & BOOK != 0, "order id {id} is resting");
        self.len -= 1;
    }

    #[inline]
    pub fn remove(&mut self, id: &u64) -> Option<Loc> {
        let id = *id;
        let v = if id < DENSE_LIMIT {
            self.take_dense(id)
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

    /// Clear a dense entry; a chunk left with no live id goes back to the spare chunks.
    #[inline]
    fn take_dense(&mut self, id: u64) -> u64 {
        let (c, i) = split(id);
        let Some(Some(chunk)) = self.dense.get_mut(c) else {
            return EMPTY;
        };
        let v = std::mem::replace(&mut chunk.entries[i], EMPTY);
        if v != EMPTY {
            chunk.live -= 1;
            if chunk.live == 0 {
                self.close_chunk(c);
            }
        }
        v
    }

    #[cold]
    fn close_chunk(&mut self, c: usize) {
        if let Some(chunk) = self.dense[c].take() {
            if self.spare.len() < SPARE_CHUNKS {
                self.spare.push(chunk.entries);
            }
        }
    }
}
