"""Python inference sidecar of the Chatterbox TTS server: a gRPC service over pluggable engines."""
