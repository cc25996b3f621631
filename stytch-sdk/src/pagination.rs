//! Walks cursor-paginated endpoints as streams that can resume after an error.
//!
//! Every paginated endpoint has two generated methods: `<method>_pages`
//! returns a [`Pages`] stream of whole responses, `<method>_items` an
//! [`Items`] stream of the records in them. Both send the request of the
//! following page with the cursor the previous page reported, and both end at
//! the first error. The cursor of the page that failed stays available, so a
//! caller can go on where the walk stopped instead of starting over:
//!
//! ```no_run
//! # async fn run(client: stytch_sdk::Client) -> Result<(), stytch_sdk::Error> {
//! use futures_util::StreamExt as _;
//! use stytch_sdk::consumer::users::SearchRequest;
//!
//! let mut users = client.users().search_items(SearchRequest::new().limit(200));
//! let mut failures = 0;
//! loop {
//!     match users.next().await {
//!         Some(Ok(user)) => println!("{}", user.user_id),
//!         Some(Err(error)) if failures < 5 && error.is_retryable() => {
//!             failures += 1;
//!             // The page that failed is requested again; nothing is skipped or repeated.
//!             users.resume();
//!         }
//!         Some(Err(error)) => return Err(error),
//!         None => break,
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! To continue a walk in another process, store [`Pages::next_cursor`] and
//! pass it to the request's `cursor` setter later.
//!
//! Read-only search endpoints are marked idempotent, so the client already
//! retries a page that fails in a transient way (429, 5xx, a broken
//! connection) according to its [`RetryPolicy`](crate::RetryPolicy) before
//! the stream reports the error.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Error;
use crate::runtime::{Endpoint, Transport};

/// A cursor-paginated endpoint (`paginate:` in the spec).
pub(crate) trait Paginated: Endpoint + Clone + Send + Sync + 'static {
    /// One item of a page.
    type Item: Send + 'static;
    /// The cursor this request asks for, if any.
    fn cursor(&self) -> Option<&str>;
    /// Asks for the page at `cursor`.
    fn set_cursor(&mut self, cursor: String);
    /// The cursor of the following page, as the response reports it.
    fn next_cursor(response: &Self::Response) -> Option<&str>;
    /// The items of a page.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}

/// One fetched page, and the cursor of the page after it (`None` at the end).
type Fetched<P> = Result<(P, Option<String>), Error>;

/// A page request in flight.
type InFlight<P> = Pin<Box<dyn Future<Output = Fetched<P>> + Send>>;

/// Sends the request of the page at a cursor (`None`: the request's own cursor).
type Fetch<P> = Arc<dyn Fn(Option<String>) -> InFlight<P> + Send + Sync>;

/// Where a walk stands.
enum Walk<P> {
    /// The next page to request is at this cursor (`None`: the first page
    /// the request asks for).
    Ready(Option<String>),
    /// The page at this cursor is being requested.
    Fetching(Option<String>, InFlight<P>),
    /// The page at this cursor failed; the stream ends until
    /// [`Pages::resume`] is called.
    Failed(Option<String>),
    /// The last page was delivered.
    Done,
}

/// The pages of a paginated endpoint, one response per item, from the
/// generated `<method>_pages` methods; see the [module docs](self).
///
/// After a page without a next cursor (absent or empty, or the same cursor
/// again, which would loop forever) the stream ends. After an error it yields
/// the error and then ends; [`Pages::resume`] makes it request the failed
/// page again.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P> {
    fetch: Fetch<P>,
    walk: Walk<P>,
}

impl<P: Send + 'static> Pages<P> {
    /// Walks the endpoint of `request`, starting at the request's own cursor.
    pub(crate) fn new<E>(transport: Transport, request: E) -> Self
    where
        E: Paginated<Response = P>,
    {
        let fetch: Fetch<P> = Arc::new(move |cursor| {
            let transport = transport.clone();
            let mut request = request.clone();
            if let Some(cursor) = cursor {
                request.set_cursor(cursor);
            }
            Box::pin(async move {
                let page = transport.send(&request).await?;
                let next = E::next_cursor(&page)
                    .filter(|next| !next.is_empty() && Some(*next) != request.cursor())
                    .map(str::to_owned);
                Ok((page, next))
            })
        });
        Self {
            fetch,
            walk: Walk::Ready(None),
        }
    }
}

impl<P> Pages<P> {
    /// The cursor of the page the stream requests next; after an error, the
    /// cursor of the page that failed.
    ///
    /// `None` while the next page is the one the original request asks for
    /// (its own `cursor`, or the first page), and once the last page was
    /// delivered (see [`Pages::is_finished`]). Store it to continue the walk
    /// later with the request's `cursor` setter.
    pub fn next_cursor(&self) -> Option<&str> {
        match &self.walk {
            Walk::Ready(cursor) | Walk::Fetching(cursor, _) | Walk::Failed(cursor) => {
                cursor.as_deref()
            }
            Walk::Done => None,
        }
    }

    /// Whether the last page was delivered: the stream ends and has nothing
    /// to resume.
    pub fn is_finished(&self) -> bool {
        matches!(self.walk, Walk::Done)
    }

    /// Whether the stream ended with an error; [`Pages::resume`] goes on.
    pub fn is_failed(&self) -> bool {
        matches!(self.walk, Walk::Failed(_))
    }

    /// After an error, lets the stream go on: it requests the page that failed
    /// again. Does nothing when the stream has not failed.
    pub fn resume(&mut self) {
        if let Walk::Failed(cursor) = &mut self.walk {
            self.walk = Walk::Ready(cursor.take());
        }
    }
}

impl<P> Stream for Pages<P> {
    type Item = Result<P, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.walk {
                Walk::Done | Walk::Failed(_) => return Poll::Ready(None),
                Walk::Ready(cursor) => {
                    let cursor = cursor.take();
                    let request = (this.fetch)(cursor.clone());
                    this.walk = Walk::Fetching(cursor, request);
                }
                Walk::Fetching(cursor, request) => {
                    let fetched = std::task::ready!(request.as_mut().poll(cx));
                    let (walk, item) = match fetched {
                        Ok((page, Some(next))) => (Walk::Ready(Some(next)), Ok(page)),
                        Ok((page, None)) => (Walk::Done, Ok(page)),
                        Err(error) => (Walk::Failed(cursor.take()), Err(error)),
                    };
                    this.walk = walk;
                    return Poll::Ready(Some(item));
                }
            }
        }
    }
}

impl<P> fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.walk {
            Walk::Ready(_) => "ready",
            Walk::Fetching(..) => "fetching",
            Walk::Failed(_) => "failed",
            Walk::Done => "finished",
        };
        // Cursors are opaque handles into the listing, not secrets.
        f.debug_struct("Pages")
            .field("state", &state)
            .field("next_cursor", &self.next_cursor())
            .finish()
    }
}

/// The records of every page of a paginated endpoint, one by one, from the
/// generated `<method>_items` methods; see the [module docs](self).
///
/// It walks the pages as [`Pages`] does and ends the same way; after an
/// error, [`Items::resume`] requests the failed page again. The records of a
/// page are yielded only once it arrived whole, so none is skipped or
/// repeated across a resume.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pages: Pages<Vec<T>>,
    buffered: std::vec::IntoIter<T>,
}

// The records are moved out, never pinned, so the stream may move whatever
// they are.
impl<T> Unpin for Items<T> {}

impl<T: Send + 'static> Items<T> {
    /// Walks the endpoint of `request`, starting at the request's own cursor.
    pub(crate) fn new<E>(transport: Transport, request: E) -> Self
    where
        E: Paginated<Item = T>,
    {
        let fetch: Fetch<E::Response> = Pages::new(transport, request).fetch;
        let fetch: Fetch<Vec<T>> = Arc::new(move |cursor| {
            let page = fetch(cursor);
            Box::pin(async move {
                let (page, next) = page.await?;
                Ok((E::into_items(page), next))
            })
        });
        Self {
            pages: Pages {
                fetch,
                walk: Walk::Ready(None),
            },
            buffered: Vec::new().into_iter(),
        }
    }
}

impl<T> Items<T> {
    /// The cursor of the page requested once the records already received
    /// are used up; after an error, the cursor of the page that failed. See
    /// [`Pages::next_cursor`]. To continue elsewhere without losing records,
    /// store it when [`Items::buffered`] is 0.
    pub fn next_cursor(&self) -> Option<&str> {
        self.pages.next_cursor()
    }

    /// How many records of the last page are still to be yielded.
    pub fn buffered(&self) -> usize {
        self.buffered.len()
    }

    /// Whether the last record was delivered.
    pub fn is_finished(&self) -> bool {
        self.pages.is_finished() && self.buffered.len() == 0
    }

    /// Whether the stream ended with an error; [`Items::resume`] goes on.
    pub fn is_failed(&self) -> bool {
        self.pages.is_failed()
    }

    /// After an error, lets the stream go on with the page that failed.
    /// Does nothing when the stream has not failed.
    pub fn resume(&mut self) {
        self.pages.resume();
    }
}

impl<T> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffered = page.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .finish()
    }
}
