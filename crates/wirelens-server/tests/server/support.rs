//! A server on 127.0.0.1:0 in this process, and helpers to call it.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};
use wirelens_api::UserServiceClient;
use wirelens_server::{Config, DEMO_TOKEN, Store};

pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// An in-memory server with the default config but no rate limit.
    pub async fn start() -> TestServer {
        TestServer::with(Store::in_memory().unwrap(), Config { rate_limit: None, ..Config::default() }).await
    }

    pub async fn with_config(config: Config) -> TestServer {
        TestServer::with(Store::in_memory().unwrap(), config).await
    }

    pub async fn with(store: Store, config: Config) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let app = wirelens_server::app(store.clone(), &config);
        let task = tokio::spawn(wirelens_server::serve(listener, app, &config, async {
            let _ = stopped.await;
        }));
        TestServer { addr, store, stop: Some(stop), task }
    }

    /// A native gRPC client (HTTP/2) on a new connection.
    pub async fn client(&self) -> UserServiceClient<Channel> {
        let channel = Endpoint::from_shared(format!("http://{}", self.addr)).unwrap().connect().await.unwrap();
        UserServiceClient::new(channel)
    }

    /// Stops the server and waits until it has (every client must be dropped first).
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }
}

/// `message` with the demo token in its metadata.
pub fn authed<T>(message: T) -> tonic::Request<T> {
    with_token(message, DEMO_TOKEN)
}

pub fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// The `google.rpc.ErrorInfo` reason of a status, if it has one.
pub fn reason(status: &tonic::Status) -> Option<String> {
    use tonic_types::StatusExt as _;
    status.get_error_details().error_info().map(|info| info.reason.clone())
}

/// The field of the first `google.rpc.BadRequest` violation of a status, if any.
pub fn bad_field(status: &tonic::Status) -> Option<String> {
    use tonic_types::StatusExt as _;
    status.get_error_details().bad_request().and_then(|br| br.field_violations.first()).map(|v| v.field.clone())
}
