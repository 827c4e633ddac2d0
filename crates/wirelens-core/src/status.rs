//! The gRPC status codes: number, name, what each means, and the HTTP status that means the same.
//!
//! The names and numbers are gRPC's (`google.rpc.Code`). The HTTP equivalents are the reference
//! material's where it gives one (OK, INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS 409,
//! PERMISSION_DENIED 403, UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, INTERNAL 500,
//! UNAVAILABLE 503; DEADLINE_EXCEEDED has "no direct HTTP equivalent"), and `google.rpc.Code`'s
//! documented mapping for the rest. Knows nothing about transports.

/// One status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub number: u32,
    /// The canonical name, as in `NOT_FOUND`.
    pub name: &'static str,
    pub meaning: &'static str,
    /// The HTTP status that means the same, when there is one.
    pub http: Option<u16>,
}

/// Every code, by number (0 to 16).
pub const CODES: [Code; 17] = [
    Code { number: 0, name: "OK", meaning: "success", http: Some(200) },
    Code { number: 1, name: "CANCELLED", meaning: "the client cancelled the request", http: Some(499) },
    Code { number: 2, name: "UNKNOWN", meaning: "an error with no better code", http: Some(500) },
    Code { number: 3, name: "INVALID_ARGUMENT", meaning: "the client sent bad data", http: Some(400) },
    Code {
        number: 4,
        name: "DEADLINE_EXCEEDED",
        meaning: "the deadline passed before the call finished: a timeout",
        http: None,
    },
    Code { number: 5, name: "NOT_FOUND", meaning: "the resource was not found", http: Some(404) },
    Code { number: 6, name: "ALREADY_EXISTS", meaning: "the resource already exists", http: Some(409) },
    Code { number: 7, name: "PERMISSION_DENIED", meaning: "not authorized to do this", http: Some(403) },
    Code {
        number: 8,
        name: "RESOURCE_EXHAUSTED",
        meaning: "a limit was reached: rate limited, or a message too large",
        http: Some(429),
    },
    Code {
        number: 9,
        name: "FAILED_PRECONDITION",
        meaning: "the system is not in a state the call needs",
        http: Some(400),
    },
    Code { number: 10, name: "ABORTED", meaning: "aborted, as by a concurrency conflict", http: Some(409) },
    Code { number: 11, name: "OUT_OF_RANGE", meaning: "past the valid range", http: Some(400) },
    Code { number: 12, name: "UNIMPLEMENTED", meaning: "the method is not implemented", http: Some(501) },
    Code { number: 13, name: "INTERNAL", meaning: "a server error (or a broken response)", http: Some(500) },
    Code {
        number: 14,
        name: "UNAVAILABLE",
        meaning: "the service is unavailable for now: unreachable, or down",
        http: Some(503),
    },
    Code { number: 15, name: "DATA_LOSS", meaning: "unrecoverable data loss or corruption", http: Some(500) },
    Code { number: 16, name: "UNAUTHENTICATED", meaning: "not authenticated: no valid credentials", http: Some(401) },
];

pub const OK: u32 = 0;
pub const CANCELLED: u32 = 1;
pub const DEADLINE_EXCEEDED: u32 = 4;
pub const INTERNAL: u32 = 13;
pub const UNAVAILABLE: u32 = 14;

/// The code with this number.
pub fn by_number(number: u32) -> Option<&'static Code> {
    CODES.get(number as usize)
}

/// The canonical name of the code with this number (`NOT_FOUND`), or `UNKNOWN CODE` for a
/// number no code has (`UNKNOWN`, 2, is a code of its own).
pub fn name(number: u32) -> &'static str {
    by_number(number).map_or("UNKNOWN CODE", |c| c.name)
}

/// The code with this canonical name (`NOT_FOUND`).
pub fn by_name(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.name == name)
}

/// The status a plain HTTP response without `grpc-status` stands for, as the gRPC spec maps
/// them ("HTTP to gRPC Status Code Mapping"): 400 INTERNAL, 401 UNAUTHENTICATED, 403
/// PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN.
pub fn from_http(status: u16) -> &'static Code {
    let number = match status {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 | 502 | 503 | 504 => 14,
        _ => 2,
    };
    &CODES[number]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_without_a_code_is_named_as_such() {
        assert_eq!((name(5), name(2), name(17)), ("NOT_FOUND", "UNKNOWN", "UNKNOWN CODE"));
    }

    #[test]
    fn codes_are_in_number_order_and_names_are_unique() {
        for (i, code) in CODES.iter().enumerate() {
            assert_eq!(code.number as usize, i);
            assert_eq!(by_name(code.name), Some(code));
        }
        assert_eq!(by_number(17), None);
    }

    #[test]
    fn the_reference_equivalents() {
        let http = |name| by_name(name).unwrap().http;
        assert_eq!(http("NOT_FOUND"), Some(404));
        assert_eq!(http("UNAUTHENTICATED"), Some(401));
        assert_eq!(http("RESOURCE_EXHAUSTED"), Some(429));
        assert_eq!(http("UNAVAILABLE"), Some(503));
        assert_eq!(http("DEADLINE_EXCEEDED"), None);
        assert_eq!(from_http(503).name, "UNAVAILABLE");
    }
}
