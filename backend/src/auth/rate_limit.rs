//! Sliding-window rate limits for login and sign-up, kept in memory per server node.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts events per key within a sliding window.
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter with the given window.
    pub fn new(window: Duration) -> Self {
        Self { window, events: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after)` if `key` has already seen `limit` events within the window.
    pub fn check(&self, key: &str, limit: u32, now: Instant) -> Result<(), Duration> {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(times) = events.get_mut(key) else {
            return Ok(());
        };
        self.prune(times, now);
        if times.len() >= limit as usize {
            let oldest = times.front().copied().unwrap_or(now);
            let retry_after = (oldest + self.window).saturating_duration_since(now);
            return Err(retry_after.max(Duration::from_secs(1)));
        }
        Ok(())
    }

    /// Records one event for `key`.
    pub fn record(&self, key: &str, now: Instant) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Bound memory: a sweep of stale keys whenever the map has grown large.
        if events.len() >= 10_000 {
            let window = self.window;
            events.retain(|_, times| times.back().is_some_and(|last| now.duration_since(*last) < window));
        }
        let times = events.entry(key.to_owned()).or_default();
        self.prune(times, now);
        times.push_back(now);
    }

    /// Forgets `key` (after a successful login, its failures no longer count).
    pub fn clear(&self, key: &str) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        events.remove(key);
    }

    fn prune(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_limit_trips_and_lifts_after_the_window() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..3 {
            assert!(limiter.check("acct:a", 3, start).is_ok(), "attempt {i}");
            limiter.record("acct:a", start);
        }
        let retry = limiter.check("acct:a", 3, start + Duration::from_secs(10)).expect_err("limited");
        assert_eq!(retry, Duration::from_secs(50));
        assert!(limiter.check("acct:b", 3, start).is_ok(), "other keys unaffected");
        assert!(limiter.check("acct:a", 3, start + Duration::from_secs(60)).is_ok(), "window passed");
        limiter.clear("acct:a");
        assert!(limiter.check("acct:a", 0, start).is_ok(), "cleared key has no events");
    }
}
