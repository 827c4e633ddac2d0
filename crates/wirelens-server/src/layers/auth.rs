//! Bearer-token authentication: every API call must carry `authorization: Bearer <token>` with
//! the server's token, or it ends UNAUTHENTICATED (HTTP 401 on REST). Static files need none.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;

use super::{Protocol, reject};
use crate::error::ApiError;

/// The token calls must present.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl Token {
    pub fn new(token: &str) -> Token {
        Token(token.into())
    }
}

/// The middleware: passes the request on when its token is right.
pub async fn require_token(State(token): State<Token>, request: Request, next: Next) -> Response {
    match check(request.headers(), &token) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            let mut response = reject(Protocol::of(request.headers()), &error);
            if Protocol::of(request.headers()) == Protocol::Rest {
                response.headers_mut().insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
            }
            response
        }
    }
}

/// Ok when `authorization` is `Bearer <token>` (the scheme case-insensitive, as RFC 6750 allows).
pub fn check(headers: &HeaderMap, token: &Token) -> Result<(), ApiError> {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Err(ApiError::unauthenticated(
            "MISSING_TOKEN",
            "missing authorization header; send 'authorization: Bearer <token>'",
        ));
    };
    let presented = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, presented)| presented.trim());
    match presented {
        Some(presented) if constant_time_eq(presented.as_bytes(), token.0.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::unauthenticated("INVALID_TOKEN", "the bearer token is not this server's token")),
        None => Err(ApiError::unauthenticated("MALFORMED_AUTHORIZATION", "authorization must be 'Bearer <token>'")),
    }
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(http::header::AUTHORIZATION, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let token = Token::new("s3cret");
        assert!(check(&headers(Some("Bearer s3cret")), &token).is_ok());
        assert!(check(&headers(Some("bearer s3cret")), &token).is_ok());
        let reason = |h: Option<&str>| check(&headers(h), &token).unwrap_err().to_string();
        assert_eq!(reason(None), "UNAUTHENTICATED: missing authorization header; send 'authorization: Bearer <token>'");
        assert_eq!(reason(Some("Bearer s3cre")), "UNAUTHENTICATED: the bearer token is not this server's token");
        assert_eq!(reason(Some("Basic czNjcmV0")), "UNAUTHENTICATED: authorization must be 'Bearer <token>'");
        assert_eq!(reason(Some("s3cret")), "UNAUTHENTICATED: authorization must be 'Bearer <token>'");
    }
}
