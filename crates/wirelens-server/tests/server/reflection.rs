//! Server reflection: `grpc.reflection.v1` and `v1alpha` answer without a token, list the
//! service, and hand out the files that describe it, one by one.

use prost::Message as _;
use tokio_stream::StreamExt as _;
use tonic::transport::Endpoint;
use tonic_reflection::pb::{v1, v1alpha};

use crate::support::TestServer;

#[tokio::test]
async fn v1_lists_the_service_and_serves_its_files_without_a_token() {
    let server = TestServer::start().await;
    let channel = Endpoint::from_shared(format!("http://{}", server.addr)).unwrap().connect().await.unwrap();
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel);
    use v1::server_reflection_request::MessageRequest;
    use v1::server_reflection_response::MessageResponse;
    let ask = |request| v1::ServerReflectionRequest { host: String::new(), message_request: Some(request) };
    let requests = vec![
        ask(MessageRequest::ListServices(String::new())),
        ask(MessageRequest::FileContainingSymbol("userservice.UserService".into())),
        // tonic-reflection sends the file alone: a client asks for its imports by name.
        ask(MessageRequest::FileByFilename("userservice/user.proto".into())),
        ask(MessageRequest::FileContainingSymbol("no.Such".into())),
    ];
    let mut answers = client.server_reflection_info(tokio_stream::iter(requests)).await.unwrap().into_inner();
    let mut seen = Vec::new();
    while let Some(answer) = answers.next().await {
        // tonic-reflection ends the stream with a status for a symbol it does not know.
        let answer = match answer {
            Ok(answer) => answer,
            Err(status) => {
                seen.push(format!("status {:?}", status.code()));
                break;
            }
        };
        match answer.message_response.unwrap() {
            MessageResponse::ListServicesResponse(list) => {
                let mut names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
                names.sort();
                seen.push(format!("services {names:?}"))
            }
            MessageResponse::FileDescriptorResponse(files) => {
                let names: Vec<String> = files
                    .file_descriptor_proto
                    .iter()
                    .map(|bytes| prost_types::FileDescriptorProto::decode(bytes.as_slice()).unwrap().name().to_owned())
                    .collect();
                seen.push(format!("files {names:?}"));
            }
            MessageResponse::ErrorResponse(e) => seen.push(format!("error {}", e.error_code)),
            other => seen.push(format!("unexpected {other:?}")),
        }
    }
    assert_eq!(
        seen,
        [
            r#"services ["grpc.reflection.v1.ServerReflection", "userservice.UserService"]"#,
            r#"files ["userservice/user_service.proto"]"#,
            r#"files ["userservice/user.proto"]"#,
            "status NotFound",
        ]
    );
    drop(client);
    server.stop().await;
}

#[tokio::test]
async fn v1alpha_answers_too() {
    let server = TestServer::start().await;
    let channel = Endpoint::from_shared(format!("http://{}", server.addr)).unwrap().connect().await.unwrap();
    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1alpha::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut answers = client.server_reflection_info(tokio_stream::iter([request])).await.unwrap().into_inner();
    let answer = answers.next().await.unwrap().unwrap();
    let Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        answer.message_response
    else {
        panic!("not a list: {answer:?}")
    };
    let mut names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["grpc.reflection.v1alpha.ServerReflection", "userservice.UserService"]);
    drop(client);
    server.stop().await;
}
