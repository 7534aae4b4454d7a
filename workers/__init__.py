"""The I/O shell around the rules: FastStream worker, settings, logging and the CLI."""
