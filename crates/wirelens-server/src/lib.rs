//! wirelens-server: the reference `UserService` over native gRPC (HTTP/2), grpc-web (binary and
//! text, over HTTP/1.1 too) and REST/JSON, all on one port, with the built app beside them.
//!
//! [`app`] builds the router: the gRPC service behind tonic-web, the REST routes, both behind
//! the same [`layers`] (logging, load shedding, auth, rate limit, deadlines, size limits), the
//! static files, CORS. [`serve`] runs it on a listener, with a header read timeout, until a
//! shutdown signal. Data lives in SQLite ([`store`]); the
//! operations ([`users`]) know nothing about either protocol.

pub mod error;
pub mod fuzzing;
pub mod json;
pub mod layers;
pub mod rest;
pub mod seed;
pub mod service;
pub mod static_files;
pub mod store;
pub mod users;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::middleware::{from_fn, from_fn_with_state};
use http::{HeaderName, Method};
use tokio::net::TcpListener;
use tonic::codec::CompressionEncoding;
use tower::ServiceBuilder;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};
use wirelens_api::UserServiceServer;

pub use error::ApiError;
pub use layers::rate_limit::RateLimit;
pub use store::{Store, StoreError};

/// The token `--token` defaults to. Printed at start: it is a demo, not a secret.
pub use wirelens_api::contract::DEMO_TOKEN;

/// The path prefix of the gRPC (and grpc-web) service.
pub const GRPC_PREFIX: &str = "/userservice.UserService/";
/// The reflection services served beside it: `grpc.reflection.v1` and the older `v1alpha`.
pub const REFLECTION_V1: &str = "grpc.reflection.v1.ServerReflection";
pub const REFLECTION_V1ALPHA: &str = "grpc.reflection.v1alpha.ServerReflection";

/// Everything about the server except its data and its address.
#[derive(Debug, Clone)]
pub struct Config {
    /// The bearer token every API call must carry.
    pub token: String,
    /// The largest gRPC message accepted or sent, in bytes (encoded, before framing).
    pub max_message_bytes: usize,
    /// The largest photo, all chunks together, in bytes.
    pub max_upload_bytes: usize,
    /// The most bytes one request body may carry, all messages together (a whole upload or chat).
    pub max_request_bytes: usize,
    /// The most API calls in progress at once, streams included; more are refused
    /// RESOURCE_EXHAUSTED (HTTP 503) at once.
    pub max_concurrent_calls: usize,
    /// How long a connection may take to send a request's headers (and its first request);
    /// `None` for no limit.
    pub header_read_timeout: Option<Duration>,
    /// Per-client rate limit; `None` for none.
    pub rate_limit: Option<RateLimit>,
    /// Where the built app is; `None` serves no files.
    pub dist: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token: DEMO_TOKEN.to_owned(),
            max_message_bytes: 4 * 1024 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            // A whole photo at the upload limit, and room for its framing and names.
            max_request_bytes: 20 * 1024 * 1024,
            max_concurrent_calls: 128,
            header_read_timeout: Some(Duration::from_secs(10)),
            rate_limit: Some(RateLimit { per_second: 50.0, burst: 100 }),
            dist: None,
        }
    }
}

/// The response headers a browser may read across origins: without them grpc-web clients
/// cannot see a call's status.
pub const EXPOSED_HEADERS: &[&str] =
    &["grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", service::NEXT_PAGE_HEADER];

/// The whole server as one router.
pub fn app(store: Store, config: &Config) -> Router {
    let token = layers::auth::Token::new(&config.token);
    let limiter = layers::rate_limit::Limiter::new(config.rate_limit);
    let service_limiter = limiter.clone();
    let calls = layers::concurrency::Calls::new(config.max_concurrent_calls);
    // Outermost first: the log sees every answer, including the layers' own refusals.
    let middleware = ServiceBuilder::new()
        .layer(from_fn(layers::logging::log))
        .layer(from_fn_with_state(calls, layers::concurrency::shed))
        .layer(from_fn_with_state(token, layers::auth::require_token))
        .layer(from_fn_with_state(service_limiter, layers::rate_limit::limit))
        .layer(from_fn(layers::deadline::enforce))
        .layer(from_fn_with_state(layers::body_limit::BodyLimit(config.max_request_bytes), layers::body_limit::limit))
        .layer(from_fn_with_state(
            layers::max_message::MaxMessage(config.max_message_bytes),
            layers::max_message::limit,
        ))
        .layer(from_fn(layers::cardinality::one_message));

    // The max_message layer enforces the limit both ways with RESOURCE_EXHAUSTED; tonic's own
    // encoding check would end an oversized response OUT_OF_RANGE first, so it is off. The
    // decoding limit stays as a backstop (the layer stops oversized requests before tonic).
    let grpc = UserServiceServer::new(service::UserService::new(store.clone(), config.max_upload_bytes))
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(usize::MAX)
        // Compress answers for a client that accepts it, read compressed requests.
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Deflate)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Deflate);
    // tonic-web turns grpc-web into gRPC (and back), so the middleware and the service only
    // ever see gRPC; it hands on tonic bodies, which axum's middleware wants as its own.
    macro_rules! grpc_and_grpc_web {
        ($middleware:expr, $service:expr) => {
            ServiceBuilder::new()
                .layer(from_fn(layers::content_type::require_grpc))
                .layer(from_fn(layers::grpc_web_body::check))
                .layer(tonic_web::GrpcWebLayer::new())
                .service(
                    ServiceBuilder::new()
                        .map_request(|request: http::Request<tonic::body::Body>| request.map(axum::body::Body::new))
                        .layer($middleware)
                        .service($service),
                )
        };
    }
    let grpc = grpc_and_grpc_web!(middleware.clone(), grpc);

    // Server reflection (v1 and v1alpha) of the schema the service is built from. It needs no
    // token: it tells what the app and the repository publish anyway, and grpcurl, buf curl
    // and grpcio's reflection client ask for it before any call.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(wirelens_api::FILE_DESCRIPTOR_SET)
    };
    let v1 = reflection().build_v1().expect("wirelens-api's descriptor set is valid");
    let v1alpha = reflection().build_v1alpha().expect("wirelens-api's descriptor set is valid");
    let open = || {
        ServiceBuilder::new()
            .layer(from_fn(layers::logging::log))
            .layer(from_fn_with_state(limiter.clone(), layers::rate_limit::limit))
            .layer(from_fn(layers::deadline::enforce))
    };

    let mut router = Router::new()
        .route_service(&format!("{GRPC_PREFIX}{{*method}}"), grpc)
        .route_service(&format!("/{REFLECTION_V1}/{{*method}}"), grpc_and_grpc_web!(open(), v1))
        .route_service(&format!("/{REFLECTION_V1ALPHA}/{{*method}}"), grpc_and_grpc_web!(open(), v1alpha))
        .merge(rest::routes(store, config.max_upload_bytes).route_layer(middleware));
    if let Some(dist) = &config.dist {
        router = static_files::fallback(router, dist);
    }
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        // Not `*`: a wildcard does not cover `authorization`, which every API call sends.
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(EXPOSED_HEADERS.iter().map(|name| HeaderName::from_static(name)).collect::<Vec<_>>());
    static_files::isolate(router).layer(from_fn(layers::drain::drain_unread)).layer(cors)
}

/// Serves `app` on `listener` (HTTP/1.1 and h2c on the same port, detected per connection)
/// until `shutdown` completes, then stops accepting and waits for open connections to finish
/// (idle ones close at once; the binary bounds the wait).
///
/// A connection that has not sent a whole request head within `config.header_read_timeout`
/// is closed: hyper times every HTTP/1.1 head (an idle keep-alive connection included), and
/// this loop times the first request of every connection, so a client that connects and sends
/// nothing, or half a preface, holds no task for long.
pub fn serve(
    listener: TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Future<Output = std::io::Result<()>> + Send + 'static {
    accept(listener, app, config.header_read_timeout, shutdown)
}

async fn accept(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Option<Duration>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt as _;

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    // Bounded by the shutdown signal; each turn takes one connection.
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was taken: the
                    // listener itself is fine. Back off briefly instead of spinning.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY a small frame can wait for the peer's delayed ACK: about 40 ms for
        // a stream's messages.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY");
        }
        let requested = Arc::new(AtomicBool::new(false));
        let service = app.clone().map_request({
            let requested = Arc::clone(&requested);
            move |mut request: http::Request<hyper::body::Incoming>| {
                requested.store(true, Ordering::Relaxed);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            }
        });
        let connection =
            builder.serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service)).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let served = tokio::select! {
                served = &mut connection => served,
                () = first_request_timer(header_read_timeout) => {
                    if !requested.load(Ordering::Relaxed) {
                        tracing::debug!(%peer, "no request within the header read timeout; closing");
                        return;
                    }
                    connection.await
                }
            };
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Completes after `timeout`, or never when there is none.
async fn first_request_timer(timeout: Option<Duration>) {
    match timeout {
        Some(timeout) => tokio::time::sleep(timeout).await,
        None => std::future::pending().await,
    }
}
