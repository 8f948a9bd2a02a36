"""gRPC server reflection: tools such as grpcurl list and call the services without the .proto files."""

from __future__ import annotations

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from chatterbox_sidecar.pb.chatterbox.v1 import speech_pb2 as pb


def test_reflection_lists_the_services_and_describes_speech_service(start_sidecar):
    running = start_sidecar()
    with grpc.insecure_channel(running.address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert set(database.get_services()) == {
            "chatterbox.v1.SpeechService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection",
        }
        service = DescriptorPool(database).FindServiceByName("chatterbox.v1.SpeechService")
        methods = {method.name: method for method in service.methods}
    assert set(methods) == {method.name for method in pb.DESCRIPTOR.services_by_name["SpeechService"].methods}
    synthesize = methods["SynthesizeStream"]
    assert synthesize.input_type.full_name == "chatterbox.v1.SynthesizeStreamRequest"
    assert synthesize.output_type.full_name == "chatterbox.v1.SynthesizeStreamResponse"
    assert "segments" in synthesize.input_type.fields_by_name["input"].message_type.fields_by_name
