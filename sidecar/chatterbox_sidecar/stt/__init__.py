"""Speech recognition: Whisper through faster-whisper, on its own worker and within its own memory budget.

`catalog` knows the model names and chooses one for a request, `model_cache` keeps loaded models within
the budget, `whisper_backend` is the only code that touches faster-whisper, `transcription` is the work of
one request on the worker thread, and `recognizer` ties them together for the servicer. Nothing here
knows gRPC.
"""
