"""Benchmarks of pulumi-personalize: the real engine against the emulator. Run `make bench`."""
