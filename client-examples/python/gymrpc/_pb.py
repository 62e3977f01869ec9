"""The generated protobuf / gRPC modules, imported in one place so a missing build says what to do."""

try:
    from gymrpc._proto import common_pb2, env_pb2, env_pb2_grpc
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "gymrpc's gRPC stubs (gymrpc._proto) are missing: they are generated from the repository's .proto "
        "files when the package is installed. From the repository root run "
        "`pip install ./client-examples/python` (or `pip install -e ./client-examples/python`)."
    ) from exc

__all__ = ["common_pb2", "env_pb2", "env_pb2_grpc"]
