"""Facts about the live services that the client and the emulator both depend on, in one place.

Plain constants only: this package imports nothing from ``pulumi_personalize`` (the import-linter
contract ``facts-stand-alone``), so the client and the emulator may both import it without importing
each other. ``tests/unit/test_facts.py`` checks that the
OpenAPI contracts in ``docs/contracts/`` agree with it.
"""
