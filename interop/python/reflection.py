"""An independent reflection client: grpcio-reflection's (PyPI) against wirelens-server.

Usage: python reflection.py ADDR TOKEN   (ADDR like 127.0.0.1:8080)

Knows nothing of the schema beforehand: lists the services through grpc.reflection (grpcio's
client speaks v1alpha), loads every file a service needs into a descriptor pool through it, builds
GetUser's request type from that pool alone and calls the method with it. Exits 1 at the first
failed check. `cargo xtask interop` runs this with the venv under target/tools/python.
"""

import sys

import grpc
from google.protobuf import descriptor_pool, json_format
from google.protobuf.message_factory import GetMessageClass
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase


def check(what, got, want):
    if got != want:
        sys.exit(f"reflection: {what}: got {got!r}, want {want!r}")
    print(f"reflection: {what}: {got!r}")


def main():
    addr, token = sys.argv[1], sys.argv[2]
    with grpc.insecure_channel(addr) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = sorted(database.get_services())
        check("services", "userservice.UserService" in services, True)
        pool = descriptor_pool.DescriptorPool(database)
        service = pool.FindServiceByName("userservice.UserService")
        check("methods", sorted(m.name for m in service.methods),
              ["Chat", "GetUser", "ListUsers", "UploadUserPhotos"])
        method = service.methods_by_name["GetUser"]
        check("ListUsers streams its answers", service.methods_by_name["ListUsers"].server_streaming, True)
        request_class = GetMessageClass(method.input_type)
        response_class = GetMessageClass(method.output_type)
        check("imported file", pool.FindMessageTypeByName("userservice.User").file.name, "userservice/user.proto")

        get_user = channel.unary_unary(
            f"/{service.full_name}/{method.name}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        request = json_format.Parse('{"userId": "42"}', request_class())
        response = get_user(request, metadata=[("authorization", f"Bearer {token}")], timeout=10)
        check("GetUser 42's name, from reflected types", response.user.name, "Alice")
        check("its encoding", len(response.user.SerializeToString()), 43)
    print("reflection: grpcio-reflection agrees with wirelens-server")


if __name__ == "__main__":
    main()
