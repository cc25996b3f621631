//! When and how long to wait before sending a failed request again.

use std::time::{Duration, SystemTime};

/// How the client repeats calls that failed in a transient way.
///
/// A call is repeated only when its endpoint is safe to repeat (every `GET`,
/// and the endpoints the API documents as idempotent) and the failure is
/// transient: the connection could not be made or broke, an attempt ran past
/// the request timeout, or the server answered 429 or 5xx. Between attempts
/// the client waits a random time between zero and
/// `min(max_delay, base_delay × 2^(attempt − 1))` ("full jitter"), so many
/// clients failing together do not come back in lockstep. When the server
/// sends `Retry-After` (seconds or an HTTP date), that wait is used instead,
/// capped at `max_delay`.
///
/// Defaults: 3 attempts in all, 100 ms base delay, 5 s cap.
///
/// ```
/// use std::time::Duration;
/// use stytch_sdk::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(5).max_delay(Duration::from_secs(10));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
}

impl RetryPolicy {
    /// Attempts per call by default (the first one included).
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// Default base of the exponential backoff.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(100);
    /// Default cap of one wait, `Retry-After` included.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(5);

    /// Never repeats a call: every call is sent exactly once.
    pub const fn disabled() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }

    /// Sends a call at most this many times, the first attempt included
    /// (values below 1 count as 1, which turns retries off).
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// Upper bound of the first wait; each later one doubles it (up to `max_delay`).
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Longest single wait, also applied to the server's `Retry-After`.
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The wait after the `failed`-th attempt (1-based) failed.
    pub(crate) fn delay(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let factor = 1u32
            .checked_shl(failed.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = self
            .base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }
}

/// Reads a `Retry-After` value: whole seconds, or an HTTP date (a date in the
/// past means "now").
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_retry_after_is_capped() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(2, None) <= Duration::from_millis(200));
            assert!(policy.delay(3, None) <= Duration::from_millis(350));
            assert!(policy.delay(40, None) <= Duration::from_millis(350));
        }
        // Full jitter: the waits spread over the whole range.
        let waits: Vec<_> = (0..200).map(|_| policy.delay(3, None)).collect();
        assert!(waits.iter().any(|w| *w < Duration::from_millis(100)));
        assert!(waits.iter().any(|w| *w > Duration::from_millis(250)));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(1))),
            Duration::from_millis(350)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_millis(20))),
            Duration::from_millis(20)
        );
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
    }
}
