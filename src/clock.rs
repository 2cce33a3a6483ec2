//! The wall clock every send-time stamp and latency is taken from, by kafkatune's producers
//! and by the drivers alike (`docs/driver-protocol.md`, "Message payload").

/// Microseconds since the Unix epoch, wall clock (`CLOCK_REALTIME`).
pub fn now_unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}
