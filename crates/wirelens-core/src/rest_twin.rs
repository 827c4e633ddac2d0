//! The REST twin of the reference `UserService`: the `GET` path that asks the server's REST/JSON
//! routes for what a GetUser or ListUsers call asks over gRPC. One place for the URL shape, so
//! the app's gRPC-against-REST comparison and `wirelens call --repeat` make the same requests.
//! Knows the two paths and URL escaping; nothing about HTTP or the network.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// A call that has a REST twin, by its request's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    GetUser { user_id: i64 },
    ListUsers { page_size: i32, page_token: &'a str },
}

/// `/v1/users/42`, or `/v1/users?page_size=3&page_token=…` (fields at their default left out, as
/// they are on the wire).
pub fn path(request: Request<'_>) -> String {
    match request {
        Request::GetUser { user_id } => format!("/v1/users/{user_id}"),
        Request::ListUsers { page_size, page_token } => {
            let mut query = Vec::new();
            if page_size != 0 {
                query.push(format!("page_size={page_size}"));
            }
            if !page_token.is_empty() {
                query.push(format!("page_token={}", percent_encode(page_token)));
            }
            if query.is_empty() { "/v1/users".to_owned() } else { format!("/v1/users?{}", query.join("&")) }
        }
    }
}

/// Page tokens are opaque: escape whatever is not unreserved in a URL (RFC 3986).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_the_twin() {
        assert_eq!(path(Request::GetUser { user_id: 42 }), "/v1/users/42");
        assert_eq!(
            path(Request::ListUsers { page_size: 3, page_token: "a b/c" }),
            "/v1/users?page_size=3&page_token=a%20b%2Fc"
        );
        assert_eq!(path(Request::ListUsers { page_size: 0, page_token: "" }), "/v1/users");
        assert_eq!(path(Request::ListUsers { page_size: 0, page_token: "7" }), "/v1/users?page_token=7");
    }
}
