"""``python -m pulumi_personalize.export``."""

from .cli import main

raise SystemExit(main())
