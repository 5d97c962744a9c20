//! A small log-linear latency histogram (HDR-like): exact below 128 ns, then 64 sub-buckets per
//! power of two (relative error under 1.6%). Recording is a few integer instructions.

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
const LINEAR: u64 = 128;

/// Histogram of nanosecond values.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

fn index_of(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let e = 63 - v.leading_zeros(); // >= 7
    let sub = ((v >> (e - SUB_BITS)) as usize) & (SUB - 1);
    LINEAR as usize + (e as usize - 7) * SUB + sub
}

fn value_of(i: usize) -> u64 {
    if i < LINEAR as usize {
        return i as u64;
    }
    let k = i - LINEAR as usize;
    let e = (k / SUB) as u32 + 7;
    let sub = (k % SUB) as u64;
    (1u64 << e) | (sub << (e - SUB_BITS))
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; LINEAR as usize + 57 * SUB],
            total: 0,
            max: 0,
        }
    }

    #[inline]
    pub fn record(&mut self, v: u64) {
        self.counts[index_of(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// Number of recorded values above `v` (to bucket precision).
    pub fn count_above(&self, v: u64) -> u64 {
        self.counts[index_of(v) + 1..].iter().sum()
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// Value at quantile `q_per_mille / 1000` (e.g. 990 for p99; 999 for p99.9).
    pub fn quantile_per_mille(&self, q_per_mille: u64) -> u64 {
        self.quantile(q_per_mille, 1_000)
    }

    /// Value at quantile `num / den`: the upper edge of its bucket (never below the true value).
    pub fn quantile(&self, num: u64, den: u64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = (u128::from(self.total) * u128::from(num))
            .div_ceil(u128::from(den))
            .max(1) as u64;
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return (value_of(i + 1) - 1).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_histogram_quantiles() {
        let mut h = Histogram::new();
        for v in 1..=1000u64 {
            h.record(v);
        }
        // 500 falls in the bucket [496, 504): the upper edge is reported.
        assert_eq!(h.quantile_per_mille(500), 503);
        assert_eq!(h.quantile(100, 1000), 100, "exact below 128");
        let p99 = h.quantile_per_mille(990);
        assert!((990..=1005).contains(&p99), "{p99}");
        assert_eq!(h.count(), 1000);
        for v in [0u64, 127, 128, 129, 1 << 20, u64::MAX >> 1] {
            let i = index_of(v);
            assert!(value_of(i) <= v && v - value_of(i) <= v / 64 + 1, "{v}");
        }
    }
}
