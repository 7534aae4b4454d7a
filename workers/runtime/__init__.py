"""The delivery runtime: the FastStream app, the one engine path, sending, settling, backoff."""
