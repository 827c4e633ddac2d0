//! The REST/JSON twin: the same operations as the gRPC service ([`crate::users`]) at
//! `GET /v1/users/{id}`, `GET /v1/users?page_size=&page_token=` and `POST /v1/users/{id}/photos`,
//! answering canonical proto3 JSON ([`crate::json`]) and mapping errors to HTTP statuses.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode, Uri, header};
use http_body_util::BodyExt as _;
use wirelens_api::contract::USERS_PATH;
use wirelens_api::{GetUserResponse, PhotoUpload};

use crate::error::ApiError;
use crate::service::{DELAY_HEADER, NEXT_PAGE_HEADER, WORK_HEADER, parse_delay, work};
use crate::store::Store;
use crate::users::{self, Upload};

/// Bodies of `POST …/photos` are stored in chunks of this size, as a gRPC client would send them.
pub const CHUNK_SIZE: usize = 64 * 1024;

#[derive(Clone)]
struct Rest {
    store: Store,
    max_upload_bytes: usize,
}

/// The `/v1/` routes.
pub fn routes(store: Store, max_upload_bytes: usize) -> Router {
    Router::new()
        .route(USERS_PATH, get(list_users))
        .route(&format!("{USERS_PATH}/{{id}}"), get(get_user))
        .route(&format!("{USERS_PATH}/{{id}}/photos"), post(upload_photo))
        .with_state(Rest { store, max_upload_bytes })
}

/// The response for a failed REST call: the mapped HTTP status and the JSON error body.
pub fn error_response(error: &ApiError) -> Response {
    (error.http_status(), json_body(&error.to_json())).into_response()
}

fn json_body(value: &serde_json::Value) -> impl IntoResponse + use<> {
    ([(header::CONTENT_TYPE, "application/json")], value.to_string())
}

fn ok(value: serde_json::Value) -> Response {
    (StatusCode::OK, json_body(&value)).into_response()
}

/// The `ApiError` a layer failed a body with, if one is in `error`'s source chain.
fn api_error_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a ApiError> {
    let mut next = Some(error);
    // Bounded: a source chain is finite, and short (a body error and its cause).
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<ApiError>() {
            return Some(found);
        }
        next = error.source();
    }
    None
}

/// The `{id}` of a `/v1/users/{id}…` path (percent-decoded), as a user id.
pub fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::invalid_argument("user_id", format!("'{raw}' is not an integer")))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn get_user(State(rest): State<Rest>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let result = async {
        let id = user_id(&id)?;
        work(parse_delay(header_str(&headers, WORK_HEADER))).await;
        users::get_user(&rest.store, id).await
    };
    match result.await {
        Ok(user) => ok(crate::json::to_json(&GetUserResponse { user: Some(user) }, "userservice.GetUserResponse")),
        Err(error) => error_response(&error),
    }
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    page_size: Option<String>,
    #[serde(default)]
    page_token: Option<String>,
}

/// The parameters of `GET /v1/users?page_size=&page_token=`, as the gRPC request has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub page_size: i32,
    pub page_token: String,
}

/// Reads `page_size` (an integer; absent or empty: 0) and `page_token` from the query of
/// `uri`, with axum's own query parser. Pure: the fuzz target calls it.
pub fn list_params(uri: &Uri) -> Result<ListParams, ApiError> {
    let Query(query) = Query::<ListQuery>::try_from_uri(uri).map_err(query_error)?;
    let page_size = match query.page_size.as_deref() {
        None | Some("") => 0,
        Some(raw) => {
            raw.parse().map_err(|_| ApiError::invalid_argument("page_size", format!("'{raw}' is not an integer")))?
        }
    };
    Ok(ListParams { page_size, page_token: query.page_token.unwrap_or_default() })
}

#[derive(serde::Deserialize)]
struct PhotoQuery {
    #[serde(default)]
    filename: String,
}

/// The `filename` of `POST /v1/users/{id}/photos?filename=` (empty when absent). Pure: the fuzz
/// target calls it.
pub fn photo_filename(uri: &Uri) -> Result<String, ApiError> {
    Query::<PhotoQuery>::try_from_uri(uri).map(|Query(query)| query.filename).map_err(query_error)
}

fn query_error(error: QueryRejection) -> ApiError {
    ApiError::invalid_argument("query", error.body_text())
}

async fn list_users(State(rest): State<Rest>, uri: Uri, headers: HeaderMap) -> Response {
    let result = async {
        let ListParams { page_size, page_token } = list_params(&uri)?;
        work(parse_delay(header_str(&headers, DELAY_HEADER))).await;
        users::list_users(&rest.store, page_size, &page_token).await
    };
    match result.await {
        Ok(page) => {
            let users: Vec<_> = page.users.iter().map(|user| crate::json::to_json(user, "userservice.User")).collect();
            let mut body = serde_json::json!({ "users": users });
            if !page.next_page_token.is_empty() {
                body["nextPageToken"] = page.next_page_token.clone().into();
            }
            let mut response = ok(body);
            if !page.next_page_token.is_empty()
                && let Ok(value) = page.next_page_token.parse()
            {
                response.headers_mut().insert(NEXT_PAGE_HEADER, value);
            }
            response
        }
        Err(error) => error_response(&error),
    }
}

async fn upload_photo(
    State(rest): State<Rest>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let user_id = user_id(&id)?;
        let filename = photo_filename(&uri)?;
        let content_type = header_str(&headers, header::CONTENT_TYPE.as_str()).unwrap_or("application/octet-stream");
        let limited = http_body_util::Limited::new(body, rest.max_upload_bytes);
        let bytes = match limited.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                return Err(ApiError::too_large("the photo", rest.max_upload_bytes));
            }
            // The server-wide body limit (`layers::body_limit`) fails the body with its own error.
            Err(error) => {
                return Err(api_error_in(&*error).cloned().unwrap_or_else(|| {
                    ApiError::invalid_argument("body", format!("could not read the body: {error}"))
                }));
            }
        };
        let mut upload = Upload::new(rest.max_upload_bytes);
        for (index, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
            upload.push(PhotoUpload {
                user_id,
                filename: if index == 0 { filename.clone() } else { String::new() },
                content_type: if index == 0 { content_type.to_owned() } else { String::new() },
                chunk: chunk.to_vec(),
                chunk_index: index as u32,
            })?;
        }
        upload.finish(&rest.store).await
    };
    match result.await {
        Ok(result) => ok(crate::json::to_json(&result, "userservice.UploadResult")),
        Err(error) => error_response(&error),
    }
}
