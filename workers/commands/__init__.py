"""The ``claimscrub`` command line and the operator tools behind it."""
