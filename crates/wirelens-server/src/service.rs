//! The gRPC twin: `UserService` for tonic, served natively and (through tonic-web) as grpc-web.
//! Translates between tonic's request/stream types and [`crate::users`]; adds the demo knobs
//! (`x-wirelens-work-ms`, `x-wirelens-delay-ms`) and stream deadlines.

use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt as _};
use tonic::{Request, Response, Status, Streaming};
use wirelens_api::{
    ChatMessage, GetUserRequest, GetUserResponse, ListUsersRequest, PhotoUpload, Timestamp, UploadResult, User,
};

use crate::error::ApiError;
use crate::layers::deadline::Deadline;
use crate::store::Store;
use crate::users::{self, MAX_DEMO_DELAY, Upload};

pub use wirelens_api::contract::{DELAY_HEADER, NEXT_PAGE_HEADER, WORK_HEADER};
/// The most messages one `Chat` call answers before it ends the stream.
pub const MAX_CHAT_MESSAGES: u32 = 10_000;
/// `ChatMessage.from` of the server's replies.
pub const CHAT_NAME: &str = "wirelens-server";

/// The service: the store and the upload limit.
#[derive(Clone)]
pub struct UserService {
    store: Store,
    max_upload_bytes: usize,
}

impl UserService {
    pub fn new(store: Store, max_upload_bytes: usize) -> UserService {
        UserService { store, max_upload_bytes }
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl wirelens_api::UserService for UserService {
    async fn get_user(&self, request: Request<GetUserRequest>) -> Result<Response<GetUserResponse>, Status> {
        work(parse_delay(request.metadata().get(WORK_HEADER).and_then(|v| v.to_str().ok()))).await;
        let user = users::get_user(&self.store, request.get_ref().user_id).await?;
        Ok(Response::new(GetUserResponse { user: Some(user) }))
    }

    type ListUsersStream = BoxStream<User>;

    async fn list_users(&self, request: Request<ListUsersRequest>) -> Result<Response<Self::ListUsersStream>, Status> {
        let delay = parse_delay(request.metadata().get(DELAY_HEADER).and_then(|v| v.to_str().ok()));
        let deadline = request.extensions().get::<Deadline>().copied();
        let page = users::list_users(&self.store, request.get_ref().page_size, &request.get_ref().page_token).await?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            for user in page.users {
                if let Some(delay) = delay {
                    let wait = tokio::time::sleep(delay);
                    match deadline {
                        Some(deadline) => {
                            if tokio::time::timeout_at(deadline.at(), wait).await.is_err() {
                                let _ = tx.send(Err(deadline.exceeded().into())).await;
                                return;
                            }
                        }
                        None => wait.await,
                    }
                }
                if tx.send(Ok(user)).await.is_err() {
                    return; // the client went away
                }
            }
        });
        let mut response = Response::new(Box::pin(ReceiverStream::new(rx)) as Self::ListUsersStream);
        if !page.next_page_token.is_empty()
            && let Ok(value) = page.next_page_token.parse()
        {
            response.metadata_mut().insert(NEXT_PAGE_HEADER, value);
        }
        Ok(response)
    }

    async fn upload_user_photos(
        &self,
        request: Request<Streaming<PhotoUpload>>,
    ) -> Result<Response<UploadResult>, Status> {
        let mut chunks = request.into_inner();
        let mut upload = Upload::new(self.max_upload_bytes);
        // Bounded: every chunk adds at least its tag to a total that `push` caps.
        while let Some(chunk) = chunks.message().await? {
            upload.push(chunk)?;
        }
        Ok(Response::new(upload.finish(&self.store).await?))
    }

    type ChatStream = BoxStream<ChatMessage>;

    async fn chat(&self, request: Request<Streaming<ChatMessage>>) -> Result<Response<Self::ChatStream>, Status> {
        let mut incoming = request.into_inner();
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            for count in 1..=MAX_CHAT_MESSAGES {
                let message = match incoming.next().await {
                    None => return,
                    Some(Err(status)) => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                    Some(Ok(message)) => message,
                };
                let reply = ChatMessage {
                    from: CHAT_NAME.into(),
                    text: format!("#{count} {}: {}", message.from, message.text),
                    sent_at: Some(now()),
                };
                if tx.send(Ok(reply)).await.is_err() {
                    return;
                }
            }
            let limit = ApiError::too_large("the chat", MAX_CHAT_MESSAGES as usize);
            let _ = tx.send(Err(limit.into())).await;
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// A demo delay from a header value holding milliseconds, capped at [`MAX_DEMO_DELAY`];
/// unreadable values are ignored.
pub fn parse_delay(value: Option<&str>) -> Option<Duration> {
    let ms: u64 = value?.trim().parse().ok()?;
    Some(Duration::from_millis(ms).min(MAX_DEMO_DELAY))
}

/// Pretends to work for `duration` (cancelled with the call when its deadline passes).
pub async fn work(duration: Option<Duration>) {
    if let Some(duration) = duration {
        tokio::time::sleep(duration).await;
    }
}

fn now() -> Timestamp {
    let since_epoch = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    Timestamp { seconds: since_epoch.as_secs() as i64, nanos: since_epoch.subsec_nanos() as i32 }
}
