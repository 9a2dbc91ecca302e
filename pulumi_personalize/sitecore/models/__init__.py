"""Pydantic models of the Sitecore Personalize objects, on the live API's shapes.

The contract is ``docs/facts/sitecore.md`` (the live service as this project knows it). Input
field names are snake_case (the Pulumi properties, kept in state); the wire names are the service's
camelCase (``alias_generator``). Every model is strict (``extra="forbid"``) so a misspelt argument is a
check failure; reading a live object (``from_wire``) drops the keys a model does not know instead
(server-owned fields such as ``traffic.modifiedAt``, or fields a newer service adds).

Fields the service owns (``SERVER_FIELDS``) are never declared, never diffed and never sent back:
an update is the live object, minus those, with the declared fields applied.

The models are split by object (``connections``, ``decision_models``, ``flows``, ``templates``, with
what they share in ``common``; what the service answers to actions and read-only calls in
``answers``); every name is importable from here, as before the split.
"""

from . import answers, common, connections, decision_models, flows, templates
from .answers import *  # noqa: F403
from .common import *  # noqa: F403
from .connections import *  # noqa: F403
from .decision_models import *  # noqa: F403
from .flows import *  # noqa: F403
from .templates import *  # noqa: F403

__all__: list[str] = []
__all__ += answers.__all__
__all__ += common.__all__
__all__ += connections.__all__
__all__ += decision_models.__all__
__all__ += flows.__all__
__all__ += templates.__all__
