//! Application log lines, the other common content of Kafka topics: timestamp, level,
//! thread, logger and an English message with ids and numbers in it. A body is consecutive
//! lines, the last one cut to the exact length.

use rand::rngs::StdRng;
use rand::Rng;

use super::draw::{hex, pick, price, weighted, Clock};

const LEVELS: &[(&str, u32)] = &[("INFO ", 80), ("DEBUG", 10), ("WARN ", 7), ("ERROR", 3)];
const THREADS: &[&str] = &[
    "http-nio-8080-exec-1",
    "http-nio-8080-exec-2",
    "http-nio-8080-exec-3",
    "http-nio-8080-exec-4",
    "http-nio-8080-exec-7",
    "http-nio-8080-exec-12",
    "scheduling-1",
    "kafka-producer-network-thread | producer-1",
    "main",
];
const LOGGERS: &[&str] = &[
    "c.e.shop.order.OrderService",
    "c.e.shop.payment.PaymentClient",
    "c.e.shop.web.RequestLogger",
    "c.e.shop.inventory.StockCache",
    "c.e.shop.auth.LoginController",
    "o.a.k.clients.NetworkClient",
    "c.e.shop.jobs.SessionCleanup",
];
const COUNTRIES: &[&str] = &["US", "DE", "GB", "FR", "IN", "BR", "JP", "KR"];
const ENDPOINTS: &[&str] = &[
    "/api/v1/products/",
    "/api/v1/orders/",
    "/api/v1/users/",
    "/api/v1/cart/",
];
const SERVICES: &[&str] = &[
    "inventory-service",
    "pricing-service",
    "user-service",
    "search-service",
];

/// The log generator.
pub(super) struct Logs {
    clock: Clock,
    line: String,
}

impl Logs {
    pub(super) fn new() -> Logs {
        Logs {
            clock: Clock::new(),
            line: String::new(),
        }
    }

    /// Appends exactly `len` bytes of log lines to `out`.
    pub(super) fn body(&mut self, rng: &mut StdRng, len: usize, out: &mut Vec<u8>) {
        let end = out.len() + len;
        while out.len() < end {
            self.next_line(rng);
            let take = self.line.len().min(end - out.len());
            out.extend_from_slice(&self.line.as_bytes()[..take]);
        }
    }

    fn next_line(&mut self, rng: &mut StdRng) {
        let ts = self.clock.tick(rng);
        let level = weighted(rng, LEVELS);
        let thread = pick(rng, THREADS);
        let logger = pick(rng, LOGGERS);
        let message = message(rng);
        self.line.clear();
        self.line
            .push_str(&format!("{ts} {level} [{thread}] {logger} - {message}\n"));
    }
}

/// One log message, from templates a real service would print.
fn message(rng: &mut StdRng) -> String {
    let order = rng.random_range(1_000_000..9_999_999);
    let user = rng.random_range(100_000..5_000_000);
    let ms = rng.random_range(2..400);
    match rng.random_range(0..9) {
        0 => format!(
            "Processed order {order} for customer {user} in {ms} ms (total {} EUR)",
            price(rng)
        ),
        1 => format!(
            "GET {}{} returned 200 in {ms} ms",
            pick(rng, ENDPOINTS),
            rng.random_range(1..99_999)
        ),
        2 => format!(
            "Cache miss for key product:{}, loading from database",
            rng.random_range(10_000..60_000)
        ),
        3 => format!("Payment authorization failed for order {order}: card declined by issuer"),
        4 => format!(
            "User {user} logged in from {} using password",
            pick(rng, COUNTRIES)
        ),
        5 => format!(
            "Retrying request to {} (attempt {} of 3) after timeout of {ms} ms",
            pick(rng, SERVICES),
            rng.random_range(1..=3)
        ),
        6 => format!(
            "Scheduled job cleanup-expired-sessions removed {} sessions",
            rng.random_range(0..5000)
        ),
        7 => format!(
            "Request {} completed with status 200, response size {} bytes",
            hex(rng, 16),
            rng.random_range(200..90_000)
        ),
        _ => format!(
            "Stock level for SKU-{} is low: {} units left in warehouse",
            rng.random_range(10_000..60_000),
            rng.random_range(0..20)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn bodies_are_log_lines_of_the_exact_length() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut logs = Logs::new();
        for len in [0, 1, 50, 92, 1000, 10_000] {
            let mut out = Vec::new();
            logs.body(&mut rng, len, &mut out);
            assert_eq!(out.len(), len);
            assert!(std::str::from_utf8(&out).is_ok());
        }
        let mut out = Vec::new();
        logs.body(&mut rng, 400, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("2025-03-01T00:00:"), "{text}");
        assert!(text.contains(" - "), "{text}");
        println!("{text}");
    }
}
