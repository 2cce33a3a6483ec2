//! JSON events like a clickstream or order topic holds: field names repeated in every
//! record, UUIDs, timestamps milliseconds apart, skewed enums, numbers, a nested object,
//! users and devices recurring across a few live sessions. Each body is filled to exactly
//! the requested length and stays valid JSON (for lengths of 1 and more).

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::Rng;

use super::draw::{hex, pick, price, uuid, weighted, words, Clock};
use super::vocab::{
    APP_VERSIONS, COUNTRIES, CURRENCIES, DEVICES, ELEMENTS, EVENT_TYPES, EXPERIMENTS, FAIL_REASONS,
    LOGIN_METHODS, PAGES, QUERIES, REFERRERS, STATUSES,
};

/// Sessions live at any time: a user emits several events, so ids, countries and devices
/// recur, but a 16 KiB batch seldom holds the same user twice (no key, as our producer).
const SESSIONS: usize = 1024;
/// Room above which the rest of a large body is filled with product recommendations (the
/// bulk of big real events) rather than free text.
const FILL_WITH_ITEMS_ABOVE: usize = 160;

/// A user's session: what stays the same from one of its events to the next.
struct Session {
    id: String,
    user_id: u32,
    country: &'static str,
    device: String,
}

/// The event generator.
pub(super) struct Events {
    clock: Clock,
    sessions: Vec<Session>,
}

impl Events {
    pub(super) fn new(rng: &mut StdRng) -> Events {
        let sessions = (0..SESSIONS).map(|_| session(rng)).collect();
        Events {
            clock: Clock::new(),
            sessions,
        }
    }

    /// Appends one event of exactly `len` bytes to `out`.
    pub(super) fn body(&mut self, rng: &mut StdRng, len: usize, out: &mut Vec<u8>) {
        if len < 2 {
            // The only JSON that short is a one-digit number.
            out.extend_from_slice(&b"0"[..len]);
            return;
        }
        let s = rng.random_range(0..SESSIONS);
        if rng.random_bool(0.02) {
            self.sessions[s] = session(rng);
        }
        let ts = self.clock.tick(rng);
        let mut obj = Object::open(out, len);
        for field in fields(rng, &self.sessions[s], &ts) {
            obj.try_add(&field);
        }
        if obj.room() > FILL_WITH_ITEMS_ABOVE {
            if let Some(r) = recommendations(rng, obj.room() - FILL_WITH_ITEMS_ABOVE / 2) {
                obj.try_add(&r);
            }
        }
        obj.fill_note(rng);
        obj.close();
    }
}

fn session(rng: &mut StdRng) -> Session {
    let (os, os_version, models) = DEVICES[rng.random_range(0..DEVICES.len())];
    let mut device = format!(r#""device":{{"os":"{os}","#);
    if !os_version.is_empty() {
        write!(
            device,
            r#""os_version":"{os_version}","app_version":"{}","#,
            pick(rng, APP_VERSIONS)
        )
        .expect("writing to a String");
    }
    write!(device, r#""model":"{}"}}"#, pick(rng, models)).expect("writing to a String");
    Session {
        id: hex(rng, 16),
        user_id: rng.random_range(100_000..5_000_000),
        country: weighted(rng, COUNTRIES),
        device,
    }
}

/// An event's fields (`"name":value`), the ones a small event keeps first.
fn fields(rng: &mut StdRng, s: &Session, ts: &str) -> Vec<String> {
    let event_type = weighted(rng, EVENT_TYPES);
    let mut f = vec![
        format!(r#""event_type":"{event_type}""#),
        format!(r#""ts":"{ts}""#),
        format!(r#""user_id":{}"#, s.user_id),
        format!(r#""country":"{}""#, s.country),
        format!(r#""session_id":"{}""#, s.id),
        format!(r#""event_id":"{}""#, uuid(rng)),
        format!(r#""status":"{}""#, weighted(rng, STATUSES)),
        format!(r#""latency_ms":{}"#, latency_ms(rng)),
        s.device.clone(),
    ];
    f.extend(specific(rng, event_type));
    if rng.random_bool(0.3) {
        f.push(format!(
            r#""experiments":["{}","{}"]"#,
            pick(rng, EXPERIMENTS),
            pick(rng, EXPERIMENTS)
        ));
    }
    f
}

/// A response time with a long tail, as services show.
fn latency_ms(rng: &mut StdRng) -> u32 {
    let base: u32 = rng.random_range(5..60);
    if rng.random_bool(0.05) {
        base * rng.random_range(5..40)
    } else {
        base
    }
}

/// The fields only some event types carry.
fn specific(rng: &mut StdRng, event_type: &str) -> Vec<String> {
    match event_type {
        "page_view" => vec![
            format!(r#""page":"{}""#, page(rng)),
            format!(r#""referrer":"{}""#, pick(rng, REFERRERS)),
        ],
        "click" => vec![format!(r#""element":"{}""#, pick(rng, ELEMENTS))],
        "search" => vec![
            format!(r#""query":"{} {}""#, pick(rng, QUERIES), pick(rng, QUERIES)),
            format!(r#""results":{}"#, rng.random_range(0..500)),
        ],
        "add_to_cart" | "checkout_started" | "order_placed" => vec![cart(rng)],
        "login" => vec![format!(r#""method":"{}""#, pick(rng, LOGIN_METHODS))],
        "payment_failed" => vec![format!(r#""reason":"{}""#, pick(rng, FAIL_REASONS))],
        _ => vec![],
    }
}

/// A page path: half of all views are product pages.
fn page(rng: &mut StdRng) -> String {
    if rng.random_bool(0.5) {
        format!("/products/{}", rng.random_range(10_000..60_000))
    } else {
        pick(rng, PAGES).to_string()
    }
}

/// A nested cart object with one to four line items.
fn cart(rng: &mut StdRng) -> String {
    let mut c = String::from(r#""cart":{"items":["#);
    for i in 0..rng.random_range(1..=4) {
        if i > 0 {
            c.push(',');
        }
        write!(
            c,
            r#"{{"sku":"SKU-{}","qty":{},"price":{}}}"#,
            rng.random_range(10_000..60_000),
            rng.random_range(1..=3),
            price(rng)
        )
        .expect("writing to a String");
    }
    write!(
        c,
        r#"],"total":{},"currency":"{}"}}"#,
        price(rng),
        weighted(rng, CURRENCIES)
    )
    .expect("writing to a String");
    c
}

/// `"recommendations":[...]` at most `budget` bytes long (what big events carry in bulk);
/// `None` if not one item fits.
fn recommendations(rng: &mut StdRng, budget: usize) -> Option<String> {
    let mut r = String::from(r#""recommendations":["#);
    loop {
        let item = format!(
            r#"{{"sku":"SKU-{}","score":0.{:03},"reason":"{}"}}"#,
            rng.random_range(10_000..60_000),
            rng.random_range(0..1000),
            pick(
                rng,
                &[
                    "similar_items",
                    "bought_together",
                    "trending",
                    "recently_viewed"
                ]
            ),
        );
        // One byte for the comma, one for the closing bracket.
        if r.len() + item.len() + 2 > budget {
            break;
        }
        if !r.ends_with('[') {
            r.push(',');
        }
        r.push_str(&item);
    }
    r.push(']');
    (!r.ends_with("[]")).then_some(r)
}

/// A JSON object being written to exactly `len` bytes: fields are added only while they
/// fit, so it is always valid.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    /// Where the closing brace goes.
    close_at: usize,
    fields: usize,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut Vec<u8>, len: usize) -> Object<'a> {
        let close_at = out.len() + len - 1;
        out.push(b'{');
        Object {
            out,
            close_at,
            fields: 0,
        }
    }

    /// Bytes a next field may take, its separating comma included.
    fn room(&self) -> usize {
        self.close_at - self.out.len()
    }

    fn separator(&self) -> usize {
        usize::from(self.fields > 0)
    }

    fn try_add(&mut self, field: &str) {
        if field.len() + self.separator() > self.room() {
            return;
        }
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.out.extend_from_slice(field.as_bytes());
        self.fields += 1;
    }

    /// Fills the room left exactly with a `"note"` of words, or with spaces (valid JSON
    /// whitespace) when not even an empty note fits.
    fn fill_note(&mut self, rng: &mut StdRng) {
        const EMPTY_NOTE: usize = r#""note":"""#.len();
        let overhead = EMPTY_NOTE + self.separator();
        if self.room() >= overhead {
            let mut note = String::from(r#""note":""#);
            words(rng, self.room() - overhead, &mut note);
            note.push('"');
            self.try_add(&note);
        }
    }

    fn close(self) {
        self.out.resize(self.close_at, b' ');
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn event(len: usize, seed: u64) -> Vec<u8> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = Vec::new();
        Events::new(&mut rng).body(&mut rng, len, &mut out);
        out
    }

    #[test]
    fn every_length_gives_valid_json_of_that_length() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut events = Events::new(&mut rng);
        for len in (1..300).chain([500, 1000, 4096, 65_536]) {
            // Several events per length: event types differ in their fields.
            for _ in 0..5 {
                let mut e = Vec::new();
                events.body(&mut rng, len, &mut e);
                assert_eq!(e.len(), len, "length {len}");
                let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&e);
                assert!(
                    parsed.is_ok(),
                    "length {len}: {}",
                    String::from_utf8_lossy(&e)
                );
            }
        }
    }

    #[test]
    fn events_look_like_events() {
        let v: serde_json::Value = serde_json::from_slice(&event(600, 1)).unwrap();
        for key in [
            "event_type",
            "ts",
            "user_id",
            "country",
            "session_id",
            "event_id",
            "device",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        assert!(v["device"].is_object());
        assert_eq!(v["event_id"].as_str().unwrap().len(), 36);
        println!("{v}");
    }
}
