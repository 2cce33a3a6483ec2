//! The whole machine's CPU use over a run, from the kernel's `/proc/stat`: how busy the host
//! was while the load generator, the clients and the embedded brokers shared it (a capacity
//! found on a saturated host is the host's, not the system's).

/// The kernel's CPU counters at one moment (clock ticks, all cores).
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    busy: u64,
    total: u64,
}

impl Sample {
    /// Now; `None` where `/proc/stat` cannot be read (not Linux).
    pub fn now() -> Option<Sample> {
        let text = std::fs::read_to_string("/proc/stat").ok()?;
        parse(text.lines().next()?)
    }

    /// The share of every core's time spent busy since this sample, 0-1, rounded to 0.001.
    pub fn busy_since(&self) -> Option<f64> {
        let now = Sample::now()?;
        let total = now.total.checked_sub(self.total).filter(|t| *t > 0)?;
        let busy = now.busy.saturating_sub(self.busy);
        Some(((busy as f64 / total as f64) * 1000.0).round() / 1000.0)
    }
}

/// The `cpu` line: user nice system idle iowait irq softirq steal ...; idle and iowait are
/// not busy (guest time is already counted in user).
fn parse(line: &str) -> Option<Sample> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let values: Vec<u64> = fields
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let total: u64 = values.iter().sum();
    let idle = values.get(3)? + values.get(4).copied().unwrap_or(0);
    Some(Sample {
        busy: total - idle,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_line_counts_idle_and_iowait_as_not_busy() {
        let a = parse("cpu  100 0 50 800 50 0 0 0 0 0").unwrap();
        let b = parse("cpu  250 0 100 1000 50 0 0 0 0 0").unwrap();
        assert_eq!((a.busy, a.total), (150, 1000));
        assert_eq!(b.total - a.total, 400);
        assert_eq!(b.busy - a.busy, 200);
        assert!(parse("intr 1 2 3").is_none());
        assert!(
            Sample::now().is_some_and(|s| s.busy_since().is_none_or(|b| (0.0..=1.0).contains(&b)))
        );
    }
}
