//! Owns [`RunLimits`]: what bounds a whole run's traffic — a request rate shared by every case (a token
//! bucket holding one token, refilled `rps` times a second), retries of idempotent requests the target
//! throttled, and the run's deadline.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Statuses after which an idempotent request is sent again. A request of any method is sent again
/// after a 429, or a 503 with `Retry-After`: the target refused it before processing it.
pub const RETRY_STATUSES: &[u16] = &[429, 503];

/// The longest wait a `Retry-After` header may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Limits every request of a run obeys.
#[derive(Debug, Default)]
pub struct RunLimits {
    /// At most this many requests a second, across every case (`None`: no limit).
    rate: Option<RateLimiter>,
    /// How many times a throttled request is sent again (see [`RETRY_STATUSES`]).
    pub retries: u32,
    /// The first wait between tries; it doubles each time.
    pub backoff: Duration,
    /// When the run stops: cases not finished by then are errors ("run timeout").
    pub deadline: Option<Instant>,
    /// What the run reads and keeps of response bodies.
    pub body: super::BodyLimits,
    /// How long one wait for the target's asynchronous work may last (`None`: [`SETTLE_TIMEOUT`]).
    pub settle: Option<Duration>,
    /// Where every resource the run creates is recorded as it is created, and the cap on how many it
    /// may create (`--max-created`); `None` records nothing.
    pub journal: Option<std::sync::Arc<crate::cleanup::Journal>>,
}

/// How long a wait for the target's asynchronous work lasts by default (`--settle-timeout`): the
/// real service takes minutes to back a graph up.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

impl RunLimits {
    /// No rate limit, no retries, no deadline.
    pub fn none() -> Self {
        Self::default()
    }

    /// Limits for a run against a live target.
    pub fn new(rps: Option<f64>, retries: u32, run_timeout: Option<Duration>) -> Self {
        Self {
            rate: rps.filter(|r| *r > 0.0).map(RateLimiter::new),
            retries,
            backoff: Duration::from_millis(500),
            // A deadline past what the clock can hold is no deadline.
            deadline: run_timeout.and_then(|t| Instant::now().checked_add(t)),
            body: super::BodyLimits::default(),
            settle: None,
            journal: None,
        }
    }

    /// How long one wait for asynchronous work may last.
    pub fn settle_timeout(&self) -> Duration {
        self.settle.unwrap_or(SETTLE_TIMEOUT)
    }

    /// These limits, recording what the run creates in `journal`.
    #[must_use]
    pub fn with_journal(mut self, journal: std::sync::Arc<crate::cleanup::Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Waits for the rate limit's next slot.
    pub async fn pace(&self) {
        if let Some(rate) = &self.rate {
            rate.acquire().await;
        }
    }

    /// How long to wait before try `attempt` (1-based) of a request the target throttled: its
    /// `Retry-After` (seconds or an HTTP date), else a doubling backoff; capped either way.
    pub fn retry_delay(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        let asked = retry_after.and_then(|v| {
            let v = v.trim();
            v.parse::<u64>().ok().map(Duration::from_secs).or_else(|| {
                let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
                (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok().or(Some(Duration::ZERO))
            })
        });
        let doubled = self.backoff.saturating_mul(1 << attempt.saturating_sub(1).min(16));
        asked.unwrap_or(doubled).min(MAX_RETRY_AFTER)
    }

    /// Whether the run's deadline has passed.
    pub fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// A token bucket of capacity one: requests leave at most once per interval, whatever their number.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// The slowest rate accepted: one request every 1000 seconds.
    pub const MIN_RPS: f64 = 0.001;

    /// `rps` requests a second (below [`Self::MIN_RPS`], or not a number, counts as the minimum).
    pub fn new(rps: f64) -> Self {
        let interval = Duration::try_from_secs_f64(1.0 / rps.max(Self::MIN_RPS)).unwrap_or(Duration::from_secs(1000));
        Self { interval, next: Mutex::new(None) }
    }

    /// Takes the next slot, sleeping until it comes.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot.checked_add(self.interval).unwrap_or(slot));
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_and_honour_retry_after() {
        let limits = RunLimits::new(None, 3, None);
        assert_eq!(limits.retry_delay(1, None), Duration::from_millis(500));
        assert_eq!(limits.retry_delay(3, None), Duration::from_secs(2));
        assert_eq!(limits.retry_delay(1, Some("4")), Duration::from_secs(4));
        assert_eq!(limits.retry_delay(1, Some("99999")), MAX_RETRY_AFTER);
        assert_eq!(limits.retry_delay(1, Some("Wed, 21 Oct 2015 07:28:00 GMT")), Duration::ZERO);
        assert!(!limits.expired());
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_spaces_requests_by_the_interval() {
        let limiter = RateLimiter::new(2.0);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        // Paused time advances only by the sleeps: four intervals of 500 ms after the first slot.
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
    }
}
