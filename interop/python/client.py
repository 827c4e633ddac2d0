"""An independent client: Python's grpcio (the C-core gRPC) against wirelens-server.

Usage: python client.py ADDR TOKEN PROTO_DIR   (ADDR like 127.0.0.1:8080)

Generates the stubs from proto/ with grpcio-tools' bundled protoc into a temporary directory,
then calls all four methods and checks what comes back. Exits 1 at the first failed check.
`cargo xtask interop` installs grpcio into target/tools/python and runs this.
"""

import hashlib
import importlib
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc


def generate(proto_dir, out_dir):
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")  # google/protobuf/*.proto
    args = ["protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
            "userservice/user.proto", "userservice/user_service.proto"]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out_dir)
    return importlib.import_module("userservice.user_service_pb2"), importlib.import_module(
        "userservice.user_service_pb2_grpc")


CHECKS = []


def check(name, condition, detail=""):
    if not condition:
        sys.exit(f"FAILED: {name} {detail}")
    CHECKS.append(name)


def expect_code(name, code, call):
    try:
        call()
    except grpc.RpcError as error:
        check(name, error.code() == code, f"got {error.code()}: {error.details()}")
        return error
    check(name, False, "the call succeeded")


def main():
    addr, token, proto_dir = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as out_dir:
        pb, pb_grpc = generate(proto_dir, out_dir)
        auth = [("authorization", f"Bearer {token}")]
        with grpc.insecure_channel(addr) as channel:
            stub = pb_grpc.UserServiceStub(channel)

            user = stub.GetUser(pb.GetUserRequest(user_id=42), metadata=auth).user
            check("GetUser 42 is Alice", user.name == "Alice" and list(user.roles) == ["admin", "user"], str(user))
            check("the reference user is 43 bytes", len(user.SerializeToString()) == 43)

            error = expect_code("GetUser 999 is NOT_FOUND", grpc.StatusCode.NOT_FOUND,
                                lambda: stub.GetUser(pb.GetUserRequest(user_id=999), metadata=auth))
            details = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
            check("NOT_FOUND carries an ErrorInfo", b"USER_NOT_FOUND" in details, repr(details))
            expect_code("GetUser 0 is INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT,
                        lambda: stub.GetUser(pb.GetUserRequest(user_id=0), metadata=auth))
            expect_code("no token is UNAUTHENTICATED", grpc.StatusCode.UNAUTHENTICATED,
                        lambda: stub.GetUser(pb.GetUserRequest(user_id=42)))
            slow = auth + [("x-wirelens-work-ms", "3000")]
            expect_code("slow work is DEADLINE_EXCEEDED", grpc.StatusCode.DEADLINE_EXCEEDED,
                        lambda: stub.GetUser(pb.GetUserRequest(user_id=42), metadata=slow, timeout=0.2))

            stream = stub.ListUsers(pb.ListUsersRequest(page_size=25), metadata=auth)
            ids = [u.id for u in stream]
            check("ListUsers streams a page", ids == list(range(1, 26)), str(ids))
            token_md = dict(stream.initial_metadata()).get("x-wirelens-next-page-token")
            check("ListUsers names the next page", token_md == "25", repr(token_md))

            parts = [b"\x89PNG", b"pixels" * 1000, b"IEND"]
            chunks = [pb.PhotoUpload(user_id=42 if i == 0 else 0, filename="p.png" if i == 0 else "", chunk=c,
                                     chunk_index=i) for i, c in enumerate(parts)]
            result = stub.UploadUserPhotos(iter(chunks), metadata=auth)
            whole = b"".join(parts)
            check("UploadUserPhotos counts the bytes", result.total_bytes == len(whole) and result.chunk_count == 3)
            check("UploadUserPhotos hashes them", result.sha256_hex == hashlib.sha256(whole).hexdigest())

            messages = (pb.ChatMessage(**{"from": "py", "text": t}) for t in ["a", "b", "c"])
            replies = [r.text for r in stub.Chat(messages, metadata=auth)]
            check("Chat echoes with a counter", replies == ["#1 py: a", "#2 py: b", "#3 py: c"], str(replies))
    print(f"python grpcio {grpc.__version__}: {len(CHECKS)} checks passed")


if __name__ == "__main__":
    main()
