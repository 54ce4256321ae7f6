//! What any client, known or not, may take of the centre: every request body is complete
//! within a deadline and under a size ([`deadline`], [`read_body`]), and connections are capped
//! per client address and in total ([`Limited`]), so one laptop dripping bytes into a few
//! thousand connections cannot hold the open files that kiosks and staff need.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::Frame;
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// It is larger than the route takes.
    TooLarge,
    /// It did not arrive within the deadline.
    TooSlow,
    /// The connection failed while it arrived.
    Broken,
}

/// The error a body gives once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within its deadline")]
pub struct DeadlinePassed;

/// Reads a whole body of at most `max` bytes, complete within `deadline`.
pub async fn read_body(body: Body, max: usize, deadline: Duration) -> Result<Bytes, BodyError> {
    let collect = http_body_util::Limited::new(body, max).collect();
    match tokio::time::timeout(deadline, collect).await {
        Err(_) => Err(BodyError::TooSlow),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) => Err(classify(e.as_ref())),
    }
}

/// What a body error comes to: over the size limit, past the deadline, or a broken connection.
pub fn classify(e: &(dyn std::error::Error + 'static)) -> BodyError {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return BodyError::TooLarge;
        }
        if c.is::<DeadlinePassed>() {
            return BodyError::TooSlow;
        }
        cause = c.source();
    }
    BodyError::Broken
}

/// Middleware: the request's body fails with [`DeadlinePassed`] once `deadline` has passed since
/// the request's head arrived, whichever extractor reads it and however slowly it comes.
pub async fn deadline(
    axum::extract::State(deadline): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let body = Body::new(DeadlineBody {
        inner: body,
        sleep: Box::pin(tokio::time::sleep(deadline)),
    });
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

struct DeadlineBody {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.inner.is_end_stream() {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(DeadlinePassed))));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// How many connections the centre holds at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From one client address — an IPv6 client's whole /64 — (a trusted proxy's address is not
    /// capped by this: it carries everyone). A browser opens up to six; a ward behind one NAT
    /// address, a few dozen.
    pub per_address: usize,
    /// From everyone together; lowered at start to what the open-files limit allows.
    pub total: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            per_address: 64,
            total: 4096,
        }
    }
}

/// Open files kept free for the database, logs and exports when [`ConnectionLimits::total`] is
/// fitted under the open-files limit.
pub const RESERVED_FILES: u64 = 128;

/// Raises the process's soft open-files limit to its hard limit (a service manager often starts
/// a process at 1,024 however high the hard limit is); returns the soft limit now in force.
pub fn raise_open_files_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-files limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

impl ConnectionLimits {
    /// These limits with `total` lowered to fit under `open_files` (less [`RESERVED_FILES`]).
    pub fn fitted(self, open_files: u64) -> ConnectionLimits {
        let room = open_files.saturating_sub(RESERVED_FILES).max(16);
        ConnectionLimits {
            total: self.total.min(usize::try_from(room).unwrap_or(usize::MAX)),
            ..self
        }
    }
}

/// The connections the centre holds now, by client address.
pub struct Counter {
    limits: ConnectionLimits,
    /// Addresses not capped per address (trusted proxies).
    exempt: Vec<ipnet::IpNet>,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    refused: AtomicU64,
}

impl Counter {
    /// A counter enforcing `limits`, with `exempt` addresses capped only by the total.
    pub fn new(limits: ConnectionLimits, exempt: Vec<ipnet::IpNet>) -> Arc<Counter> {
        Arc::new(Counter {
            limits,
            exempt,
            open: Mutex::new((0, HashMap::new())),
            refused: AtomicU64::new(0),
        })
    }

    /// A place for one more connection from `peer`, or `None` when a limit is reached.
    fn admit(self: &Arc<Self>, peer: Option<IpAddr>) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (total, per) = &mut *open;
        let capped = peer
            .filter(|ip| !self.exempt.iter().any(|net| net.contains(ip)))
            .map(client_of);
        let from_peer = capped.map_or(0, |ip| per.get(&ip).copied().unwrap_or(0));
        if *total >= self.limits.total || from_peer >= self.limits.per_address {
            drop(open);
            let n = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
            // Said once in a while, not once per refused connection of a flood.
            if n.is_power_of_two() {
                tracing::warn!(
                    refused = n,
                    per_address = self.limits.per_address,
                    total = self.limits.total,
                    "connection refused: too many open from one address or in all"
                );
            }
            return None;
        }
        *total += 1;
        if let Some(ip) = capped {
            *per.entry(ip).or_default() += 1;
        }
        Some(Ticket {
            counter: self.clone(),
            peer: capped,
        })
    }

    /// How many connections are open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0
    }

    /// How many connections were refused so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Whom an address stands for: an IPv4 address itself; an IPv6 address's /64 network, since
/// one subscriber is given a whole /64 and could otherwise open the cap on each of its
/// addresses.
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
        },
        v4 => v4,
    }
}

/// One connection's place; given back when the connection closes.
struct Ticket {
    counter: Arc<Counter>,
    peer: Option<IpAddr>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self
            .counter
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (total, per) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(ip) = self.peer
            && let Some(n) = per.get_mut(&ip)
        {
            *n -= 1;
            if *n == 0 {
                per.remove(&ip);
            }
        }
    }
}

/// The error an accept gives for a connection over a limit (closed at once, not logged each
/// time: [`Counter`] says so now and then).
#[derive(Debug, thiserror::Error)]
#[error("connection over the limit")]
pub struct OverLimit;

/// An acceptor (axum-server's) that admits a connection only within the [`Counter`]'s limits,
/// then hands it to `inner` (plain or TLS).
#[derive(Clone)]
pub struct Limited<A> {
    inner: A,
    counter: Arc<Counter>,
}

impl<A> Limited<A> {
    /// `inner`, behind `counter`'s limits.
    pub fn new(inner: A, counter: Arc<Counter>) -> Self {
        Limited { inner, counter }
    }
}

type Accepted<S, V> = Pin<Box<dyn Future<Output = io::Result<(S, V)>> + Send>>;

impl<A, S> axum_server::accept::Accept<TcpStream, S> for Limited<A>
where
    A: axum_server::accept::Accept<Counted<TcpStream>, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Accepted<A::Stream, A::Service>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let peer = stream.peer_addr().ok().map(|a| a.ip());
        match self.counter.admit(peer) {
            Some(ticket) => Box::pin(self.inner.accept(
                Counted {
                    stream,
                    _ticket: ticket,
                },
                service,
            )),
            None => Box::pin(std::future::ready(Err(io::Error::other(OverLimit)))),
        }
    }
}

/// A connection holding its place under the limits until it is dropped.
pub struct Counted<S> {
    stream: S,
    _ticket: Ticket,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_its_share_and_the_rest_stay_open() {
        let counter = Counter::new(
            ConnectionLimits {
                per_address: 2,
                total: 3,
            },
            vec!["127.0.0.9/32".parse().unwrap()],
        );
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = counter.admit(Some(a)).unwrap();
        let _second = counter.admit(Some(a)).unwrap();
        assert!(counter.admit(Some(a)).is_none(), "a third from one address is refused");
        let _other = counter.admit(Some(b)).unwrap();
        assert!(counter.admit(Some(b)).is_none(), "the total is reached");
        drop(first);
        assert_eq!(counter.open(), 2);
        assert!(
            counter.admit(Some(a)).is_some(),
            "a closed connection gives its place back"
        );
        assert_eq!(counter.refused(), 2);
    }

    #[test]
    fn the_addresses_of_one_ipv6_network_share_one_cap() {
        let counter = Counter::new(
            ConnectionLimits {
                per_address: 2,
                total: 10,
            },
            Vec::new(),
        );
        let first = "2001:db8:1:2::1".parse().unwrap();
        let same_network = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_network = "2001:db8:1:3::1".parse().unwrap();
        let _a = counter.admit(Some(first)).unwrap();
        let _b = counter.admit(Some(same_network)).unwrap();
        assert!(counter.admit(Some(first)).is_none(), "one /64 is one client");
        assert!(counter.admit(Some(other_network)).is_some());
        // An IPv4 address written as IPv6 is that IPv4 address.
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        let _c = counter.admit(Some(v4)).unwrap();
        let _d = counter.admit(Some("::ffff:10.0.0.1".parse().unwrap())).unwrap();
        assert!(counter.admit(Some(v4)).is_none());
    }

    #[test]
    fn a_trusted_proxy_is_capped_only_by_the_total() {
        let counter = Counter::new(
            ConnectionLimits {
                per_address: 1,
                total: 3,
            },
            vec!["127.0.0.0/8".parse().unwrap()],
        );
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| counter.admit(Some(proxy)).unwrap()).collect();
        assert!(counter.admit(Some(proxy)).is_none());
        drop(held);
        assert_eq!(counter.open(), 0);
    }

    #[test]
    fn the_total_fits_under_the_open_files_limit() {
        let limits = ConnectionLimits::default();
        assert_eq!(limits.fitted(1024).total, 1024 - 128);
        assert_eq!(limits.fitted(1_048_576).total, 4096);
        assert_eq!(limits.fitted(10).total, 16);
    }
}
