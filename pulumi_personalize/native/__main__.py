"""``pulumi-resource-personalize``: the plugin the Pulumi engine starts for the ``personalize`` package."""

from __future__ import annotations

import sys

from .provider import PersonalizeProvider
from .schema import version
from .server import main as serve


def main() -> None:
    serve(sys.argv[1:], version(), PersonalizeProvider())


if __name__ == "__main__":
    main()
