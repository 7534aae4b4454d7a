"""The reviewed reference data files (TOML), read with importlib.resources."""
