//! A value fetched over the network, cached, and refreshed by one fetch at a time.
//!
//! Every cache of this module (key sets, RBAC policies, organization
//! policies, M2M tokens) is a [`RefreshCell`]:
//!
//! - Reads are an atomic load of the current [`Snapshot`] ([`ArcSwapOption`]);
//!   no lock is taken while a cached value is good.
//! - A refresh is *single-flight*: the first caller that needs one starts the
//!   fetch, every caller arriving while it runs awaits that same fetch
//!   (a [`Shared`] future) instead of starting its own. No lock is held
//!   across the fetch, so waiters finish together when it ends, after at
//!   most one transport timeout, instead of one after another.
//! - A fetch outlives its callers: it runs as a task of its own on the
//!   caller's Tokio runtime, until it ends or its own timeout (the client's)
//!   cuts it off. A caller that gives up (its future is dropped, e.g. by a
//!   request timeout around it) only stops waiting; the callers that come
//!   later join the same fetch or find its result in the cache. Outside a
//!   Tokio runtime (where the HTTP client cannot work anyway) the fetch is
//!   driven by its waiters instead and ends when the last of them gives up.
//! - After a failed fetch no new fetch starts until a backoff has passed
//!   ([`Backoff`]): the first failure waits the initial backoff, every
//!   further consecutive failure doubles it, up to the maximum. Callers
//!   arriving meanwhile get the error of the last fetch right away. A
//!   successful fetch resets the backoff.
//! - A refresh may also be gated by a minimum interval since the previous
//!   attempt ([`Gate::Miss`]), which keeps made-up key ids from causing a
//!   fetch each.
//!
//! Whether a stale snapshot may still be used after a failed refresh (the
//! grace period) is decided by the caller, which knows the max age.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use futures_util::FutureExt as _;
use futures_util::future::{Shared, WeakShared};

/// One fetched value and when it was fetched.
#[derive(Debug)]
pub(crate) struct Snapshot<T> {
    pub(crate) value: Arc<T>,
    pub(crate) fetched_at: Instant,
}

impl<T> Snapshot<T> {
    /// Time since the fetch.
    pub(crate) fn age(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.fetched_at)
    }
}

/// How long to wait after failed fetches before fetching again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Wait after the first failure.
    pub(crate) initial: Duration,
    /// Longest wait, however many failures in a row.
    pub(crate) max: Duration,
}

impl Backoff {
    /// The wait after `failures` consecutive failures (at least one).
    pub(crate) fn after(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        self.initial
            .saturating_mul(1 << doublings)
            .min(self.max.max(self.initial))
    }
}

/// When a caller may start a fetch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Gate {
    /// The cache is empty or past its max age: fetch unless backing off.
    Stale,
    /// The cache is current but lacks an entry (such as a key id): fetch
    /// unless backing off or the previous attempt started less than this long ago.
    Miss(Duration),
}

/// What a refresh came to.
pub(crate) enum Outcome<T> {
    /// A fetch (this caller's, one it joined, or one that ended just
    /// before) produced this snapshot.
    Fetched(Arc<Snapshot<T>>),
    /// The fetch this caller started or joined failed.
    Failed(Arc<crate::Error>),
    /// No fetch was started: backing off after a failure (with the error of
    /// the last fetch) or within the minimum interval of a [`Gate::Miss`]
    /// (no error).
    Skipped(Option<Arc<crate::Error>>),
}

type FlightResult<T> = Result<Arc<Snapshot<T>>, Arc<crate::Error>>;
type Flight<T> = Shared<Pin<Box<dyn Future<Output = FlightResult<T>> + Send>>>;

/// The fetch in progress.
enum Pending<T> {
    /// Running as a task of its own; held strongly, so it is joinable until
    /// it ends whether or not anyone awaits it.
    Detached(Flight<T>),
    /// Driven by its waiters (no Tokio runtime to run it on); held weakly:
    /// it lives as long as someone awaits it.
    Attached(WeakShared<Pin<Box<dyn Future<Output = FlightResult<T>> + Send>>>),
}

impl<T> Pending<T> {
    /// The fetch to await, unless it is over.
    fn join(&self) -> Option<Flight<T>> {
        match self {
            // A finished fetch clears itself from the cell (see
            // `RefreshCell::finish`); one that is done yet still here was a
            // task that never finished (a panic, or its runtime shut down),
            // and must not hand its outcome to later callers.
            Pending::Detached(flight) => flight.peek().is_none().then(|| flight.clone()),
            Pending::Attached(weak) => weak.upgrade(),
        }
    }
}

/// Fetch bookkeeping; its mutex is only held for a few instructions, never
/// across an await.
struct Control<T> {
    /// The fetch in progress.
    flight: Option<Pending<T>>,
    /// Start of the latest fetch.
    last_attempt: Option<Instant>,
    /// Failed fetches since the last success.
    failures: u32,
    /// No fetch before this instant (after failures).
    retry_at: Option<Instant>,
    /// The error of the latest fetch, when it failed.
    last_error: Option<Arc<crate::Error>>,
}

/// A cached value with single-flight refreshes and backoff; see the module docs.
pub(crate) struct RefreshCell<T> {
    /// What is cached, for traces: `key set`, `RBAC policy`, …
    what: &'static str,
    current: ArcSwapOption<Snapshot<T>>,
    control: Mutex<Control<T>>,
}

impl<T: Send + Sync + 'static> RefreshCell<T> {
    pub(crate) fn new(what: &'static str) -> Self {
        Self {
            what,
            current: ArcSwapOption::empty(),
            control: Mutex::new(Control {
                flight: None,
                last_attempt: None,
                failures: 0,
                retry_at: None,
                last_error: None,
            }),
        }
    }

    /// The latest snapshot, if any fetch ever succeeded. Lock-free.
    pub(crate) fn load(&self) -> Option<Arc<Snapshot<T>>> {
        self.current.load_full()
    }

    /// Runs `f` on the latest snapshot without cloning the `Arc`. Lock-free.
    pub(crate) fn with<R>(&self, f: impl FnOnce(Option<&Arc<Snapshot<T>>>) -> R) -> R {
        f(self.current.load().as_ref())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Control<T>> {
        self.control.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refreshes the value: joins the fetch in progress, or starts
    /// `fetch()` when `gate` and the backoff allow it.
    ///
    /// `seen` is the snapshot the caller judged insufficient; when the cache
    /// already holds a newer one (another caller's fetch ended meanwhile),
    /// that one is returned without fetching.
    pub(crate) async fn refresh<F, Fut>(
        self: &Arc<Self>,
        seen: Option<&Arc<Snapshot<T>>>,
        gate: Gate,
        backoff: Backoff,
        fetch: F,
    ) -> Outcome<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, crate::Error>> + Send + 'static,
    {
        let flight = {
            let mut control = self.lock();
            if let Some(current) = self.current.load_full()
                && !seen.is_some_and(|seen| Arc::ptr_eq(seen, &current))
            {
                return Outcome::Fetched(current);
            }
            match control.flight.as_ref().and_then(Pending::join) {
                Some(flight) => flight,
                None => {
                    let now = Instant::now();
                    if control.retry_at.is_some_and(|at| now < at) {
                        return Outcome::Skipped(control.last_error.clone());
                    }
                    if let Gate::Miss(interval) = gate
                        && control
                            .last_attempt
                            .is_some_and(|at| now.saturating_duration_since(at) < interval)
                    {
                        return Outcome::Skipped(None);
                    }
                    control.last_attempt = Some(now);
                    tracing::debug!(
                        what = self.what,
                        failures = control.failures,
                        "stytch cache refresh started"
                    );
                    let cell = Arc::clone(self);
                    let pending = fetch();
                    let work = async move {
                        let result = pending.await;
                        cell.finish(result, backoff)
                    };
                    let (flight, pending) = start(self.what, work);
                    control.flight = pending;
                    flight
                }
            }
        };
        match flight.await {
            Ok(snapshot) => Outcome::Fetched(snapshot),
            Err(error) => Outcome::Failed(error),
        }
    }

    /// Records the result of a fetch; runs once per fetch, inside it.
    fn finish(&self, result: Result<T, crate::Error>, backoff: Backoff) -> FlightResult<T> {
        let mut control = self.lock();
        control.flight = None;
        match result {
            Ok(value) => {
                let snapshot = Arc::new(Snapshot {
                    value: Arc::new(value),
                    fetched_at: Instant::now(),
                });
                self.current.store(Some(Arc::clone(&snapshot)));
                tracing::debug!(what = self.what, "stytch cache refreshed");
                control.failures = 0;
                control.retry_at = None;
                control.last_error = None;
                Ok(snapshot)
            }
            Err(error) => {
                let error = Arc::new(error);
                control.failures = control.failures.saturating_add(1);
                let wait = backoff.after(control.failures);
                control.retry_at = Some(Instant::now() + wait);
                // The error's Display names the endpoint and status, never a body.
                tracing::debug!(
                    what = self.what,
                    failures = control.failures,
                    backoff_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    error = %error,
                    "stytch cache refresh failed"
                );
                control.last_error = Some(Arc::clone(&error));
                Err(error)
            }
        }
    }
}

/// Starts `work` (a fetch that records its own result): as a task of its own
/// on the current Tokio runtime when there is one, else as a future its
/// waiters drive. Returns the future to await and what the cell keeps of it.
fn start<T: Send + Sync + 'static>(
    what: &'static str,
    work: impl Future<Output = FlightResult<T>> + Send + 'static,
) -> (Flight<T>, Option<Pending<T>>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            // Dropping the join handle detaches the task; it is never aborted.
            let task = runtime.spawn(work);
            let joined: Pin<Box<dyn Future<Output = FlightResult<T>> + Send>> =
                Box::pin(async move {
                    task.await.unwrap_or_else(|error| {
                        Err(Arc::new(crate::Error::Config(format!(
                            "the {what} fetch ended without an answer ({error})"
                        ))))
                    })
                });
            let flight = joined.shared();
            (flight.clone(), Some(Pending::Detached(flight)))
        }
        Err(_) => {
            let work: Pin<Box<dyn Future<Output = FlightResult<T>> + Send>> = Box::pin(work);
            let flight = work.shared();
            let weak = flight.downgrade().map(Pending::Attached);
            (flight, weak)
        }
    }
}

/// Lifetimes of a value that expires by age (key sets, policies).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetimes {
    /// Fetched again once older than this.
    pub(crate) max_age: Duration,
    /// Still served this long past `max_age` while refreshes fail.
    pub(crate) grace: Duration,
    /// Wait after failed fetches.
    pub(crate) backoff: Backoff,
}

/// The value of `cell`, fetched with `fetch` when the cache is empty or
/// older than `max_age`. When that fails, a snapshot younger than
/// `max_age + grace` is returned instead of the error.
pub(crate) async fn get_by_age<T, F, Fut>(
    cell: &Arc<RefreshCell<T>>,
    lifetimes: Lifetimes,
    fetch: F,
) -> Result<Arc<T>, Arc<crate::Error>>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, crate::Error>> + Send + 'static,
{
    let fresh = cell.with(|current| {
        current
            .filter(|snapshot| snapshot.age(Instant::now()) < lifetimes.max_age)
            .map(|snapshot| Arc::clone(&snapshot.value))
    });
    if let Some(value) = fresh {
        return Ok(value);
    }
    let seen = cell.load();
    let error = match cell
        .refresh(seen.as_ref(), Gate::Stale, lifetimes.backoff, fetch)
        .await
    {
        Outcome::Fetched(snapshot) => return Ok(Arc::clone(&snapshot.value)),
        Outcome::Failed(error) | Outcome::Skipped(Some(error)) => Some(error),
        Outcome::Skipped(None) => None,
    };
    match seen {
        Some(snapshot) if snapshot.age(Instant::now()) < lifetimes.max_age + lifetimes.grace => {
            tracing::debug!(
                what = cell.what,
                "stytch cache serves a stale copy within its grace period"
            );
            Ok(Arc::clone(&snapshot.value))
        }
        _ => {
            Err(error
                .unwrap_or_else(|| Arc::new(crate::Error::Config("no fetch was allowed".into()))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_maximum() {
        let backoff = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
        };
        assert_eq!(backoff.after(1), Duration::from_secs(1));
        assert_eq!(backoff.after(2), Duration::from_secs(2));
        assert_eq!(backoff.after(5), Duration::from_secs(16));
        assert_eq!(backoff.after(6), Duration::from_secs(30));
        assert_eq!(backoff.after(u32::MAX), Duration::from_secs(30));
    }
}
