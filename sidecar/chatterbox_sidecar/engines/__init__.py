"""Inference engines behind one small interface (base.Engine); none of them knows about gRPC."""
