//! The key every record of a fault run carries: the producer id (4 bytes), then the record's
//! sequence number (8 bytes), big-endian. The producer stamps it; the accounting reads it back.

/// The key of record `sequence` of producer `producer_id`.
pub fn key(producer_id: u32, sequence: u64) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&producer_id.to_be_bytes());
    k[4..].copy_from_slice(&sequence.to_be_bytes());
    k
}

/// The producer id and sequence number of a key written by [`key`].
pub fn parse_key(key: &[u8]) -> Option<(u32, u64)> {
    let k: &[u8; 12] = key.try_into().ok()?;
    Some((
        u32::from_be_bytes(k[..4].try_into().ok()?),
        u64::from_be_bytes(k[4..].try_into().ok()?),
    ))
}

/// Marks sequence `seq` in a bitmap (bit `seq % 8` of byte `seq / 8`).
pub fn mark(bitmap: &mut [u8], seq: u64) {
    if let Some(byte) = bitmap.get_mut((seq / 8) as usize) {
        *byte |= 1 << (seq % 8);
    }
}

/// Whether sequence `seq` is marked in a bitmap.
pub fn is_marked(bitmap: &[u8], seq: u64) -> bool {
    bitmap
        .get((seq / 8) as usize)
        .is_some_and(|b| b & (1 << (seq % 8)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_bitmaps_round_trip() {
        assert_eq!(parse_key(&key(7, 123_456_789)), Some((7, 123_456_789)));
        assert_eq!(parse_key(b"short"), None);
        let mut bits = vec![0u8; 2];
        mark(&mut bits, 0);
        mark(&mut bits, 9);
        mark(&mut bits, 99);
        assert!(is_marked(&bits, 0) && is_marked(&bits, 9));
        assert!(!is_marked(&bits, 1) && !is_marked(&bits, 99));
    }
}
