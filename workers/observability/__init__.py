"""What operations see: log lines, metrics, traces, health."""
