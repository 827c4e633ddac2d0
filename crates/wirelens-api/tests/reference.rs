//! The reference text's wire-format examples, checked byte for byte against the generated types.
//! Knows the expected bytes by hand; knows nothing about how the annotator explains them.

use prost::Message;
use wirelens_api::userservice::{GetUserRequest, User, user::Status};

/// Renders bytes as spaced uppercase hex, so a failure shows which byte differs.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

fn reference_user() -> User {
    User {
        id: 42,
        name: "Alice".to_owned(),
        email: "alice@example.com".to_owned(),
        roles: vec!["admin".to_owned(), "user".to_owned()],
        address: None,
        status: Status::Active as i32,
    }
}

#[test]
fn id_42_is_08_2a() {
    // Field 1, wire type 0 (varint): tag (1 << 3) | 0 = 0x08; 42 fits one varint byte.
    let user = User { id: 42, ..Default::default() };
    assert_eq!(user.encode_to_vec(), [0x08, 0x2A]);
}

#[test]
fn name_alice_is_length_delimited() {
    // Field 2, wire type 2: tag (2 << 3) | 2 = 0x12, length 5, then UTF-8 "Alice".
    let user = User { name: "Alice".to_owned(), ..Default::default() };
    assert_eq!(user.encode_to_vec(), [0x12, 0x05, 0x41, 0x6C, 0x69, 0x63, 0x65]);
}

#[test]
fn default_user_is_empty() {
    assert!(User::default().encode_to_vec().is_empty());
}

#[test]
fn reference_user_is_43_bytes() {
    let expected = [
        "08 2A",                                                    // id = 42
        "12 05 41 6C 69 63 65",                                     // name = "Alice"
        "1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D", // email, 17 bytes
        "22 05 61 64 6D 69 6E",                                     // roles[0] = "admin"
        "22 04 75 73 65 72",                                        // roles[1] = "user"
        "30 01",                                                    // status = ACTIVE (field 6)
    ]
    .join(" ");

    let bytes = reference_user().encode_to_vec();
    assert_eq!(hex(&bytes), expected);
    assert_eq!(bytes.len(), 43);
    assert_eq!(reference_user().encoded_len(), 43);
}

#[test]
fn reference_user_round_trips() {
    let bytes = reference_user().encode_to_vec();
    let decoded = User::decode(bytes.as_slice()).expect("valid bytes");
    assert_eq!(decoded, reference_user());
    assert_eq!(decoded.status(), Status::Active);
}

#[test]
fn json_of_the_reference_user_is_95_bytes() {
    // The reference compares the protobuf encoding with this JSON text.
    let json = r#"{"id":42,"name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}"#;
    assert_eq!(json.len(), 95);
}

#[test]
fn get_user_request_is_08_2a() {
    assert_eq!(hex(&GetUserRequest { user_id: 42 }.encode_to_vec()), "08 2A");
}

#[test]
fn file_descriptor_set_decodes_and_names_the_files() {
    let fds = prost_types::FileDescriptorSet::decode(wirelens_api::FILE_DESCRIPTOR_SET)
        .expect("FILE_DESCRIPTOR_SET is a valid FileDescriptorSet");
    let mut names: Vec<&str> = fds.file.iter().map(|f| f.name()).collect();
    names.sort_unstable();
    assert_eq!(names, ["google/protobuf/timestamp.proto", "userservice/user.proto", "userservice/user_service.proto"]);

    let service = fds
        .file
        .iter()
        .flat_map(|f| &f.service)
        .find(|s| s.name() == "UserService")
        .expect("UserService is in the set");
    let methods: Vec<(&str, bool, bool)> =
        service.method.iter().map(|m| (m.name(), m.client_streaming(), m.server_streaming())).collect();
    assert_eq!(
        methods,
        [
            ("GetUser", false, false),
            ("ListUsers", false, true),
            ("UploadUserPhotos", true, false),
            ("Chat", true, true),
        ]
    );
}
