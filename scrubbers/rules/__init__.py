"""The rule modules, one per concern of RULES.md, each ``check(ClaimContext) -> Flags``."""
