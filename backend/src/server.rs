//! The HTTP server under the router: accepts TCP connections, serves HTTP/1.1 on each with upgrades,
//! and drains on shutdown.
//!
//! It is ours rather than `axum::serve` for the chat socket's sake. axum's server detects the protocol
//! of every connection behind a rewinding wrapper, so an upgraded connection can no longer be taken
//! back as the `TcpStream` it is; here it can (see `ws`), and chat fan-out writes live events straight
//! into a subscriber's socket instead of waking the subscriber's task to do it. Every client of this
//! server speaks HTTP/1.1 (the app, the browser build, the tests), so nothing else is lost.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after a failed accept (out of file descriptors, mostly) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The IO every connection is served on; `ws` takes an upgraded connection back as this type.
pub type ServedIo = TokioIo<TcpStream>;

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting, lets requests in
/// flight finish (idle keep-alive connections close at once) and returns when every connection has.
/// Upgraded connections are no longer HTTP: their own tasks end them (the chat hub's shutdown).
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Each connection task holds a sender; the receiver reports closed once the last one is gone.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        // Chat frames are small writes answered by the client's reads, not by its writes: with Nagle's
        // algorithm on, a frame written while an earlier one is unacknowledged waits for the client's
        // delayed ACK, which put 20-40 ms on about one delivery in a hundred under load.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "cannot turn off Nagle's algorithm on a connection");
        }
        tokio::spawn(serve_connection(stream, peer, router.clone(), stop_rx.clone(), alive_tx.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(alive_tx);
    let _ = alive_rx.recv().await;
}

/// Serves HTTP/1.1 on one connection until the client closes it, it is upgraded, or shutdown has let
/// its request in flight finish.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    let service = TowerToHyperService::new(tower::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    }));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let stopping = async {
        // The guard it returns must not live across the connection's await below.
        let _ = stop.wait_for(|stopping| *stopping).await.map(|_| ());
    };
    let served = tokio::select! {
        served = connection.as_mut() => served,
        () = stopping => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = served {
        // Clients hanging up mid-request are routine; nothing to act on.
        tracing::debug!(%error, %peer, "connection ended with an error");
    }
}
