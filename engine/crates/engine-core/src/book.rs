//! The fast order book: one slab of orders for the whole engine, index-linked FIFO queues per
//! price level, and per side a `Vec` of levels sorted so that the best level is the LAST one.
//!
//! Why a sorted `Vec`: almost all activity happens at and near the top of the book, which is the
//! tail of the vector, so inserting or removing a level there moves few elements, and finding a
//! level is a binary search over contiguous memory. Best price is `levels.last()`, O(1).
//! Cancel is O(1) to find the order (id -> slot map), O(log L) to find its level.

use crate::types::{Side, StpMode};

/// End of a linked list.
pub(crate) const NIL: u32 = u32::MAX;

/// A resting order in the slab (64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Order {
    pub id: u64,
    pub account: u64,
    pub price: i64,
    /// Visible open quantity (the current slice of an iceberg).
    pub qty: i64,
    /// Hidden reserve of an iceberg.
    pub hidden: i64,
    /// Iceberg slice size; 0 for a plain order.
    pub display: i64,
    pub prev: u32,
    pub next: u32,
    pub side: Side,
    pub stp: StpMode,
}

impl Order {
    /// Open quantity, visible plus hidden.
    #[inline]
    pub fn open(&self) -> i64 {
        self.qty + self.hidden
    }
}

/// Slab of orders with a free list; slots are reused, never moved.
#[derive(Debug, Default, Clone)]
pub(crate) struct Arena {
    pub orders: Vec<Order>,
    free: Vec<u32>,
}

impl Arena {
    #[inline]
    pub fn alloc(&mut self, order: Order) -> u32 {
        if let Some(slot) = self.free.pop() {
            self.orders[slot as usize] = order;
            slot
        } else {
            self.orders.push(order);
            (self.orders.len() - 1) as u32
        }
    }

    #[inline]
    pub fn release(&mut self, slot: u32) {
        self.free.push(slot);
    }

    #[inline]
    pub fn get(&self, slot: u32) -> &Order {
        &self.orders[slot as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, slot: u32) -> &mut Order {
        &mut self.orders[slot as usize]
    }
}

/// One price level: FIFO queue of slots and the total visible quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Level {
    /// Sort key: the price for bids, minus the price for asks; ascending, best last.
    pub key: i64,
    pub price: i64,
    pub qty: i64,
    pub head: u32,
    pub tail: u32,
}

/// One side of one book.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ladder {
    pub levels: Vec<Level>,
}

#[inline]
pub(crate) fn key_of(side: Side, price: i64) -> i64 {
    match side {
        Side::Buy => price,
        Side::Sell => -price,
    }
}

impl Ladder {
    #[inline]
    pub fn best(&self) -> Option<&Level> {
        self.levels.last()
    }

    /// Index of the level with `key`, or where it would be inserted.
    #[inline]
    pub fn find(&self, key: i64) -> Result<usize, usize> {
        // Search from the top: most lookups hit the last few levels.
        let n = self.levels.len();
        for back in 1..=n.min(4) {
            let i = n - back;
            let k = self.levels[i].key;
            if k == key {
                return Ok(i);
            }
            if k < key {
                return Err(i + 1);
            }
        }
        if n <= 4 {
            return Err(0);
        }
        self.levels[..n - 4].binary_search_by(|l| l.key.cmp(&key))
    }

    /// Append `slot` at the back of the level for `price`, creating the level if needed.
    /// Returns the level's quantity before the append.
    #[inline]
    pub fn push_back(&mut self, arena: &mut Arena, side: Side, price: i64, slot: u32) -> i64 {
        let key = key_of(side, price);
        let qty = arena.get(slot).qty;
        match self.find(key) {
            Ok(i) => {
                let level = &mut self.levels[i];
                let old = level.qty;
                let tail = level.tail;
                arena.get_mut(tail).next = slot;
                let o = arena.get_mut(slot);
                o.prev = tail;
                o.next = NIL;
                level.tail = slot;
                level.qty += qty;
                old
            }
            Err(i) => {
                let o = arena.get_mut(slot);
                o.prev = NIL;
                o.next = NIL;
                self.levels.insert(
                    i,
                    Level {
                        key,
                        price,
                        qty,
                        head: slot,
                        tail: slot,
                    },
                );
                0
            }
        }
    }

    /// Unlink `slot` from level `i`; removes the level when it becomes empty.
    /// The caller has already subtracted the order's visible quantity from the level.
    #[inline]
    pub fn unlink(&mut self, arena: &mut Arena, i: usize, slot: u32) {
        let (prev, next) = {
            let o = arena.get(slot);
            (o.prev, o.next)
        };
        let level = &mut self.levels[i];
        if prev == NIL {
            level.head = next;
        } else {
            arena.get_mut(prev).next = next;
        }
        if next == NIL {
            level.tail = prev;
        } else {
            arena.get_mut(next).prev = prev;
        }
        if level.head == NIL {
            self.levels.remove(i);
        }
    }

    /// Move the head order of level `i` to the back of its queue.
    #[inline]
    pub fn rotate_head(&mut self, arena: &mut Arena, i: usize) {
        let level = &mut self.levels[i];
        let slot = level.head;
        if level.tail == slot {
            return;
        }
        let next = arena.get(slot).next;
        arena.get_mut(next).prev = NIL;
        level.head = next;
        let tail = level.tail;
        arena.get_mut(tail).next = slot;
        let o = arena.get_mut(slot);
        o.prev = tail;
        o.next = NIL;
        level.tail = slot;
    }

    /// Slots of level `i` in FIFO order.
    pub fn slots<'a>(&self, arena: &'a Arena, i: usize) -> LevelIter<'a> {
        LevelIter {
            arena,
            cur: self.levels[i].head,
        }
    }
}

/// Iterator over the slots of one level, front to back.
#[derive(Debug)]
pub(crate) struct LevelIter<'a> {
    arena: &'a Arena,
    cur: u32,
}

impl Iterator for LevelIter<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.cur == NIL {
            return None;
        }
        let slot = self.cur;
        self.cur = self.arena.get(slot).next;
        Some(slot)
    }
}
