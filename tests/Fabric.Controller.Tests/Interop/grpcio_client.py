"""Calls the controller with Debian's python3-grpcio, a gRPC client nobody here wrote.

Usage: grpcio_client.py ADDRESS DESCRIPTOR_SET
The messages come from the descriptor set the test writes from the C# protos, so no generated
stubs are needed. Prints one line per check; exits 1 at the first failure.
"""
import queue
import sys
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

address, descriptor_path = sys.argv[1], sys.argv[2]

files = descriptor_pb2.FileDescriptorSet.FromString(open(descriptor_path, "rb").read())
pool = descriptor_pool.DescriptorPool()
for proto in files.file:
    pool.Add(proto)
factory = message_factory.MessageFactory(pool)


def message(name):
    return factory.GetPrototype(pool.FindMessageTypeByName("sdn.v1." + name))


channel = grpc.insecure_channel(address)


def unary(method, request_type, reply_type):
    return channel.unary_unary(
        "/sdn.v1.Controller/" + method,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=message(reply_type).FromString,
    )


def streaming(method, reply_type):
    return channel.unary_stream(
        "/sdn.v1.Controller/" + method,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=message(reply_type).FromString,
    )


def check(what, condition, detail=""):
    if not condition:
        print(f"FAIL {what} {detail}")
        sys.exit(1)
    print(f"ok   {what}")


def expect_status(what, code, text, call):
    try:
        call()
    except grpc.RpcError as error:
        check(what, error.code() == code and text in error.details(), f"got {error.code()}: {error.details()!r}")
        return
    check(what, False, "the call succeeded")


Tenant, Network, Port, Edge = message("Tenant"), message("Network"), message("Port"), message("EdgeNode")
GetRequest, ListRequest, DeleteRequest = message("GetRequest"), message("ListRequest"), message("DeleteRequest")

edge = unary("CreateEdge", "EdgeNode", "EdgeNode")(Edge(name="e1"), timeout=10)
check("CreateEdge returns the edge", edge.name == "e1")
unary("CreateTenant", "Tenant", "Tenant")(Tenant(name="acme", description="ünïcode"), timeout=10)
network = unary("CreateNetwork", "Network", "Network")(Network(name="web", tenant="acme", ipv4_subnet="10.0.1.0/24"), timeout=10)
check("CreateNetwork fills in the gateway", network.ipv4_gateway == "10.0.1.1", network)
ports = [unary("CreatePort", "Port", "Port")(Port(name=f"vm{i}", network="web", edge="e1"), timeout=10) for i in (1, 2)]
check("CreatePort allocates addresses", [p.ipv4 for p in ports] == ["10.0.1.2", "10.0.1.3"], ports)
check("CreatePort allocates local MACs", all(p.mac.startswith("02:5d:") for p in ports), ports)
listed = unary("ListPorts", "ListRequest", "PortList")(ListRequest(), timeout=10)
check("ListPorts lists both", [p.name for p in listed.items] == ["vm1", "vm2"], listed)
tenant = unary("GetTenant", "GetRequest", "Tenant")(GetRequest(name="acme"), timeout=10)
check("GetTenant round-trips UTF-8", tenant.description == "ünïcode", tenant)

expect_status("bad subnet is INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT, "did you mean 10.0.2.0/24",
              lambda: unary("CreateNetwork", "Network", "Network")(Network(name="db", tenant="acme", ipv4_subnet="10.0.2.7/24"), timeout=10))
expect_status("missing network is NOT_FOUND", grpc.StatusCode.NOT_FOUND, "network 'nope' does not exist",
              lambda: unary("GetNetwork", "GetRequest", "Network")(GetRequest(name="nope"), timeout=10))
expect_status("duplicate tenant is ALREADY_EXISTS", grpc.StatusCode.ALREADY_EXISTS, "tenant 'acme' already exists",
              lambda: unary("CreateTenant", "Tenant", "Tenant")(Tenant(name="acme"), timeout=10))
expect_status("taken IP is ALREADY_EXISTS", grpc.StatusCode.ALREADY_EXISTS, "10.0.1.2 is already used",
              lambda: unary("CreatePort", "Port", "Port")(Port(name="vm3", network="web", edge="e1", ipv4="10.0.1.2"), timeout=10))
expect_status("deleting a used tenant is FAILED_PRECONDITION", grpc.StatusCode.FAILED_PRECONDITION, "still used by network(s) 'web'",
              lambda: unary("DeleteTenant", "DeleteRequest", "DeleteReply")(DeleteRequest(name="acme"), timeout=10))
expect_status("unknown method is UNIMPLEMENTED", grpc.StatusCode.UNIMPLEMENTED, "",
              lambda: unary("NoSuchMethod", "GetRequest", "Tenant")(GetRequest(), timeout=10))

watch = streaming("WatchEvents", "Event")(message("WatchRequest")(include_existing=True), timeout=1.0)
seen = []
try:
    for event in watch:
        seen.append(event.WhichOneof("resource") + ":" + getattr(event, event.WhichOneof("resource")).name)
    check("WatchEvents outlives its deadline", False, "the stream ended with OK")
except grpc.RpcError as error:
    check("WatchEvents replays the state in order", seen == ["edge:e1", "tenant:acme", "network:web", "port:vm1", "port:vm2"], seen)
    check("WatchEvents ends with DEADLINE_EXCEEDED", error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, error.code())

state = unary("GetState", "GetStateRequest", "FabricState")(message("GetStateRequest")(), timeout=10)
check("refused requests changed nothing", state.version == 5, state.version)

# The southbound stream, bidirectional: an agent for edge e1 says hello, gets full state, acks it.
AgentMessage, Hello, BatchAck = message("AgentMessage"), message("Hello"), message("BatchAck")
connect = channel.stream_stream(
    "/sdn.v1.Agent/Connect",
    request_serializer=lambda m: m.SerializeToString(),
    response_deserializer=message("ControllerMessage").FromString,
)
edge_role = pool.FindEnumTypeByName("sdn.v1.NodeRole").values_by_name["NODE_ROLE_EDGE"].number
outbox = queue.Queue()
outbox.put(AgentMessage(hello=Hello(node_name="e1", role=edge_role)))
replies = connect(iter(outbox.get, None), timeout=10)
first = next(replies)
check("Agent.Connect answers hello with a full-state batch", first.batch.full_state and first.batch.version == 1, first)
outbox.put(AgentMessage(batch_ack=BatchAck(version=first.batch.version)))
stats = unary("GetStats", "StatsRequest", "StatsReply")(message("StatsRequest")(node="e1"), timeout=10)
for _ in range(100):
    if stats.nodes[0].applied_version == 1:
        break
    time.sleep(0.05)
    stats = unary("GetStats", "StatsRequest", "StatsReply")(message("StatsRequest")(node="e1"), timeout=10)
check("the ack reaches the controller", stats.nodes[0].connected and stats.nodes[0].applied_version == 1, stats)
outbox.put(None)
replies.cancel()

stranger = connect(iter([AgentMessage(hello=Hello(node_name="nobody", role=edge_role))]), timeout=10)
expect_status("an agent for an unknown node is NOT_FOUND", grpc.StatusCode.NOT_FOUND, "node 'nobody'", lambda: list(stranger))
print("all checks passed")
