"""``personalize-export``: bring an existing tenant under code in one step.

Pulumi cannot import dynamic resources (pulumi/pulumi#16175), and adoption (``adopt_uid=``,
``adopt_ref=``) works one object at a time. This package reads one Contentstack project or one
Sitecore tenant with the provider's settings and writes a runnable program with one adopting
resource per live object: ``reader`` (the tenant, through the api layer, GETs only),
``contentstack`` / ``sitecore`` (the program's model), ``render`` (Python source), ``cli``.
"""

from .cli import export, main

__all__ = ["export", "main"]
