"""A gRPC server built with Debian's python3-grpcio, for testing our client against it.

Serves test.Interop on an ephemeral loopback port, prints the port, and runs until stdin closes.
Messages are handled as raw bytes: the client sends google.protobuf.StringValue messages.
"""
import sys
import time
from concurrent import futures

import grpc


def string_value(text):
    data = text.encode()
    return b"\x0a" + bytes([len(data)]) + data


def echo(request, context):
    return request


def repeat(request, context):
    for _ in range(3):
        yield request


def fail(request, context):
    context.abort(grpc.StatusCode.FAILED_PRECONDITION, "ünïcode 100% broken")


def fail_after_one(request, context):
    yield request
    context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "enough")


def time_remaining(request, context):
    remaining = context.time_remaining()
    # grpcio reports a call without a deadline as None or as an enormous number of seconds.
    return string_value("none" if remaining is None or remaining > 1e9 else f"{remaining:.3f}")


def sleep(request, context):
    time.sleep(3)
    return request


def chat(requests, context):
    for request in requests:
        yield request


handlers = {
    "Echo": grpc.unary_unary_rpc_method_handler(echo),
    "Repeat": grpc.unary_stream_rpc_method_handler(repeat),
    "Fail": grpc.unary_unary_rpc_method_handler(fail),
    "FailAfterOne": grpc.unary_stream_rpc_method_handler(fail_after_one),
    "TimeRemaining": grpc.unary_unary_rpc_method_handler(time_remaining),
    "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
    "Chat": grpc.stream_stream_rpc_method_handler(chat),
}

server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Interop", handlers),))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
sys.stdin.read()
server.stop(0)
