#!/usr/bin/env python3
"""A real gRPC server and client (Debian's python3-grpcio) for trafficdb's
capture tests, speaking raw bytes (no protobuf): HTTP/2 in clear (h2c with
prior knowledge), as gRPC does without TLS.

  grpc_peer.py serve PORT      serves /test.Users/Get until killed; prints "serving"
  grpc_peer.py call PORT       makes three calls and prints what each returned

/test.Users/Get answers b"user:" + the request for any name but "nobody",
and NOT_FOUND ("no such user: nobody") for that one.
"""
import sys
from concurrent import futures

import grpc


def get(request, context):
    if request == b"nobody":
        context.abort(grpc.StatusCode.NOT_FOUND, "no such user: nobody")
    return b"user:" + request


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        "test.Users", {"Get": grpc.unary_unary_rpc_method_handler(get)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("serving", flush=True)
    server.wait_for_termination()


def call(port):
    with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
        method = channel.unary_unary("/test.Users/Get")
        for name in (b"alice", b"nobody", b"bob"):
            try:
                print("ok", method(name, timeout=10).decode(), flush=True)
            except grpc.RpcError as e:
                print("error", e.code().name, e.details(), flush=True)


if __name__ == "__main__":
    {"serve": serve, "call": call}[sys.argv[1]](int(sys.argv[2]))
