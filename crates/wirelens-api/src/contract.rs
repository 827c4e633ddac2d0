//! The reference service's contract beyond its `.proto`: the demo token, the headers its methods
//! read or write, and the REST twin's paths. One definition each, imported by the server that
//! serves them and by the app, the CLI and the tools that call it. Knows names and URL shapes;
//! nothing about HTTP or the network.

/// The bearer token wirelens-server accepts unless started with another.
pub const DEMO_TOKEN: &str = "wirelens-demo-token";
/// Asks `GetUser` (either twin) to work this many milliseconds before answering: makes deadlines visible.
pub const WORK_HEADER: &str = "x-wirelens-work-ms";
/// Asks `ListUsers` to wait this many milliseconds before each message: makes a stream visible.
pub const DELAY_HEADER: &str = "x-wirelens-delay-ms";
/// Initial metadata of `ListUsers` (and a header of the REST list): the token of the next page.
pub const NEXT_PAGE_HEADER: &str = "x-wirelens-next-page-token";
/// The REST twin's collection of users; a user is `{USERS_PATH}/{id}`.
pub const USERS_PATH: &str = "/v1/users";

/// The REST twin of a GetUser or ListUsers call, by its request's fields.
pub mod rest_twin {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

    use super::USERS_PATH;

    /// A call that has a REST twin.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Request<'a> {
        GetUser { user_id: i64 },
        ListUsers { page_size: i32, page_token: &'a str },
    }

    /// `/v1/users/42`, or `/v1/users?page_size=3&page_token=…` (fields at their default left out,
    /// as they are on the wire).
    pub fn path(request: Request<'_>) -> String {
        match request {
            Request::GetUser { user_id } => format!("{USERS_PATH}/{user_id}"),
            Request::ListUsers { page_size, page_token } => {
                let mut query = Vec::new();
                if page_size != 0 {
                    query.push(format!("page_size={page_size}"));
                }
                if !page_token.is_empty() {
                    query.push(format!("page_token={}", percent_encode(page_token)));
                }
                if query.is_empty() { USERS_PATH.to_owned() } else { format!("{USERS_PATH}?{}", query.join("&")) }
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
}
