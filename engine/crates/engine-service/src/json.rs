//! JSON objects written straight into a reused byte buffer.
//!
//! The output topics carry about three messages per command, so writing them is a large
//! share of the engine's work: this writer appends fields in a fixed order with no
//! intermediate values and no allocation, and escapes strings exactly as `serde_json` does
//! (so the bytes on the wire are the same as before).

/// One JSON object being appended to a buffer; [`Object::end`] closes it.
#[derive(Debug)]
pub struct Object<'a> {
    buf: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Object<'a> {
    /// Open an object at the end of `buf`.
    pub fn begin(buf: &'a mut Vec<u8>) -> Object<'a> {
        buf.push(b'{');
        Object { buf, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.buf.push(b',');
        }
        self.empty = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    pub fn u64(&mut self, key: &str, v: u64) -> &mut Self {
        self.key(key);
        write_int(self.buf, v);
        self
    }

    pub fn i64(&mut self, key: &str, v: i64) -> &mut Self {
        self.key(key);
        write_int(self.buf, v);
        self
    }

    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key);
        write_str(self.buf, v);
        self
    }

    /// `null` for `None`.
    pub fn nullable_str(&mut self, key: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(key, v),
            None => {
                self.key(key);
                self.buf.extend_from_slice(b"null");
                self
            }
        }
    }

    /// Left out for `None`.
    pub fn opt_str(&mut self, key: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(key, v);
        }
        self
    }

    /// Left out for `None`.
    pub fn opt_i64(&mut self, key: &str, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.i64(key, v);
        }
        self
    }

    /// Left out for `None`.
    pub fn opt_u64(&mut self, key: &str, v: Option<u64>) -> &mut Self {
        if let Some(v) = v {
            self.u64(key, v);
        }
        self
    }

    /// Left out for `None`.
    pub fn opt_bool(&mut self, key: &str, v: Option<bool>) -> &mut Self {
        if let Some(v) = v {
            self.key(key);
            self.buf
                .extend_from_slice(if v { b"true" } else { b"false" });
        }
        self
    }

    /// Price levels as `[[price, qty], ...]`.
    pub fn levels(&mut self, key: &str, levels: &[(i64, i64)]) -> &mut Self {
        self.key(key);
        self.buf.push(b'[');
        for (i, &(price, qty)) in levels.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            self.buf.push(b'[');
            write_int(self.buf, price);
            self.buf.push(b',');
            write_int(self.buf, qty);
            self.buf.push(b']');
        }
        self.buf.push(b']');
        self
    }

    pub fn end(&mut self) {
        self.buf.push(b'}');
    }
}

/// An integer in decimal.
pub fn write_int<I: itoa::Integer>(buf: &mut Vec<u8>, v: I) {
    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// A JSON string: quotes, backslashes and control characters escaped as `serde_json` does.
pub fn write_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xf)]);
        } else {
            buf.extend_from_slice(escape);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_strings_escape_like_serde_json() {
        for s in [
            "plain",
            "",
            "quote \" and \\ backslash",
            "ctl \n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} end",
            "unicode é ✓",
            "invalid type: floating point `1e30`, expected u64",
        ] {
            let mut buf = Vec::new();
            write_str(&mut buf, s);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn test_object_fields_in_order_and_optional_ones_left_out() {
        let mut buf = b"key".to_vec();
        Object::begin(&mut buf)
            .u64("a", u64::MAX)
            .i64("b", i64::MIN)
            .nullable_str("c", None)
            .opt_i64("d", None)
            .opt_bool("e", Some(false))
            .levels("f", &[(1, 2), (3, 0)])
            .levels("g", &[])
            .end();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            r#"key{"a":18446744073709551615,"b":-9223372036854775808,"c":null,"e":false,"f":[[1,2],[3,0]],"g":[]}"#
        );
    }
}
