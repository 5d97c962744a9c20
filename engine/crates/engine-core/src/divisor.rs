//! Divisibility by a symbol's tick or lot size without a division instruction.
//!
//! Every new order checks `price % tick_size` and `qty % lot_size`; a 64-bit division costs
//! tens of cycles. For a divisor `d = odd << k`, `n` is a multiple of `d` exactly when
//! `rotate_right(n * inverse(odd), k) <= u64::MAX / d` (wrapping multiply; the multiplicative
//! inverse of `odd` modulo 2^64). The constants are computed once per symbol.

/// A positive divisor prepared for divisibility tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Divisor {
    inverse: u64,
    shift: u32,
    limit: u64,
}

impl Divisor {
    /// Prepare `d`; `None` unless `d > 0`.
    pub(crate) fn new(d: i64) -> Option<Divisor> {
        if d <= 0 {
            return None;
        }
        let d = d as u64;
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // Newton's iteration doubles the correct low bits: 3 (odd * odd = 1 mod 8) -> 96.
        let mut inverse = odd;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        Some(Divisor {
            inverse,
            shift,
            limit: u64::MAX / d,
        })
    }

    /// Whether `n` is a multiple of the divisor.
    #[inline]
    pub(crate) fn divides(&self, n: i64) -> bool {
        n.unsigned_abs()
            .wrapping_mul(self.inverse)
            .rotate_right(self.shift)
            <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;

    #[test]
    fn test_divisor_agrees_with_remainder() {
        let divisors = [
            1i64, 2, 3, 5, 7, 8, 10, 12, 100, 1000, 4096, 1_000_000, 999_983,
        ];
        let mut values: Vec<i64> = (-2000..2000).collect();
        for d in divisors {
            for m in [1i64, 3, 1_000_003, i64::MAX / d] {
                let v = d * m;
                values.extend([v.wrapping_sub(1), v, v.wrapping_add(1), -v]);
            }
        }
        values.extend([i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1]);
        for d in divisors.into_iter().chain([i64::MAX, 1 << 62, 3 << 40]) {
            let div = Divisor::new(d).expect("positive");
            for &n in &values {
                assert_eq!(div.divides(n), n % d == 0, "n={n} d={d}");
            }
        }
        assert_eq!(Divisor::new(0), None);
        assert_eq!(Divisor::new(-5), None);
    }
}
