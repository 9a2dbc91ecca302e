"""Sitecore Personalize: connections, decision models with their variants and deployment, flow
definitions (experiences and experiments) and templates as Pulumi resources, typed flow builders
(``flows``), plus look-ups of existing objects by name."""

# The resource and ``*Args`` classes are listed once, in the generated module's ``__all__``, and the
# look-ups in ``lookups.__all__``: a new resource or look-up needs no line here.
from . import _generated, flows, lookups
from ._generated import *  # noqa: F403
from .lookups import *  # noqa: F403

__all__ = ["flows"]
__all__ += _generated.__all__
__all__ += lookups.__all__
