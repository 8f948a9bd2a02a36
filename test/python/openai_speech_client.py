"""Drives the server's OpenAI speech API with the official Python SDK and prints what it saw as JSON.

Run by test/integration/http/openai-python.test.ts: `python openai_speech_client.py <base_url>`. Exit code 3
means the SDK is not installed (the test then skips with that message).
"""

import json
import sys

try:
    import openai
except ImportError:
    print("the openai Python package is not installed in the sidecar venv", file=sys.stderr)
    sys.exit(3)

# Long enough that its speech (24 kHz 16-bit pcm, several seconds) is far more than one 64 KiB read of the
# SDK's HTTP client, so the streamed response must arrive in more than one chunk.
TEXT = (
    "The first sentence is here, and it takes its time to say what it has to say. "
    "A second one follows it, a little longer, with a pause or two along the way. "
    "Then a third sentence arrives, carrying the story further than the first two could. "
    "And the fourth one ends the text, so that the listener knows the speech is over."
)


def error_facts(call):
    try:
        call()
    except openai.APIStatusError as error:
        return {
            "class": type(error).__name__,
            "status": error.status_code,
            "param": error.body.get("param") if isinstance(error.body, dict) else None,
            "request_id": error.request_id,
            "should_retry": error.response.headers.get("x-should-retry"),
        }
    return None


def main(base_url):
    client = openai.OpenAI(base_url=base_url, api_key="test", max_retries=0)
    speak = {"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "pcm"}
    whole = client.audio.speech.create(**speak, extra_body={"seed": 3}).content
    with client.audio.speech.with_streaming_response.create(**speak, extra_body={"seed": 3}) as response:
        chunks = list(response.iter_bytes())
    with client.audio.speech.with_streaming_response.create(**speak, stream_format="sse") as response:
        sse_lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    facts = {
        "version": openai.__version__,
        "pcm_bytes": len(whole),
        "streamed_chunks": len(chunks),
        "streamed_equals_whole": b"".join(chunks) == whole,
        "sse_types": [json.loads(line[len("data: ") :])["type"] for line in sse_lines],
        "voice_object": len(client.audio.speech.create(**{**speak, "voice": {"id": "nova"}}).content),
        "models": [model.id for model in client.models.list()],
        "unknown_voice": error_facts(lambda: client.audio.speech.create(**{**speak, "voice": "nobody"})),
        "too_long": error_facts(lambda: client.audio.speech.create(**{**speak, "input": "a" * 4097})),
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main(sys.argv[1])
