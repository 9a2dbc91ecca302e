"""Decision models (``/v2/decisionModelDefinitions``), their deployment configuration and their
variants (``/v2/decisionModelVariants``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator, model_validator

from ...facts.sitecore import DeploymentStatus
from .common import DECISION_MODEL_LINKS, _Model, _upper, read_wire, strip_server_fields

__all__ = [
    "ARCHIVED_NAME_RE",
    "DecisionModelDeploymentInputs",
    "DecisionModelInputs",
    "DecisionModelVariantInputs",
    "DeployedVariantInputs",
    "DeployedVariantStatus",
    "DeploymentConfiguration",
    "DeploymentStatus",
    "check_deployed_splits",
    "model_name_before_archive",
]

ARCHIVED_NAME_RE = re.compile(r" - archived \d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
"""The suffix the service appends to a decision model's name when it is archived (docs/facts/sitecore.md#decision-models)."""

DeployedVariantStatus = DeploymentStatus


class DeployedVariantInputs(_Model):
    """One entry of a deployment configuration: which variant revision gets which share, in which status."""

    variant_ref: str = Field(min_length=1)
    """The variant's ref."""
    split: int = Field(ge=0, le=100)
    """Percentage of the audience; the splits of a deployment add up to 100."""
    status: DeployedVariantStatus = "DRAFT"
    """DRAFT, TEST or PRODUCTION (ARCHIVED as the service may report it)."""
    variant_revision: int = Field(ge=1)
    """The variant revision deployed."""

    _upper_status = field_validator("status", mode="before")(_upper)


def check_deployed_splits(variants: list[DeployedVariantInputs], where: str) -> None:
    if not variants:
        return
    total = sum(v.split for v in variants)
    if total != 100:
        raise ValueError(f"{where}: the splits must add up to 100, they add up to {total}")
    refs = [v.variant_ref for v in variants]
    repeated = sorted({r for r in refs if refs.count(r) > 1})
    if repeated:
        raise ValueError(f"{where}: each variant may be deployed once, repeated: {', '.join(repeated)}")


class DeploymentConfiguration(_Model):
    """The live ``deploymentConfiguration`` object."""

    variants: list[DeployedVariantInputs] = Field(default_factory=list)

    @model_validator(mode="after")
    def _splits(self) -> DeploymentConfiguration:
        check_deployed_splits(self.variants, "variants")
        return self


class DecisionModelInputs(_Model):
    """The desired state of a decision model. ``deployment_configuration`` is optional: when the
    program leaves it out, the model's deployment is not managed here (a ``DecisionModelDeployment``
    resource, or the UI, owns it) and updates keep the live one."""

    name: str = Field(min_length=1)
    deployment_configuration: DeploymentConfiguration | None = None

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {}, links=DECISION_MODEL_LINKS)
        body["name"] = self.name
        if self.deployment_configuration is not None:
            body["deploymentConfiguration"] = self.deployment_configuration.wire()
        else:
            body.setdefault("deploymentConfiguration", {"variants": []})  # required on POST
        body["archived"] = False
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_wire(cls, live)
        # not ours to report, nor an import's: a DecisionModelDeployment owns it (as personalize-export writes)
        if previous.get("deployment_configuration") is None:
            out.pop("deployment_configuration", None)
        return out


class DecisionModelDeploymentInputs(_Model):
    """Which variants of a decision model are deployed (its ``deploymentConfiguration``)."""

    decision_model: str = Field(min_length=1)
    variants: list[DeployedVariantInputs] = Field(default_factory=list)

    @model_validator(mode="after")
    def _splits(self) -> DecisionModelDeploymentInputs:
        check_deployed_splits(self.variants, "variants")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {}, links=DECISION_MODEL_LINKS)
        body["deploymentConfiguration"] = {"variants": [v.wire() for v in self.variants]}
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        config = live.get("deploymentConfiguration")
        variants = config.get("variants") if isinstance(config, Mapping) else None
        return read_wire(cls, {"decisionModel": live.get("ref"), "variants": variants or []})


class DecisionModelVariantInputs(_Model):
    """The desired state of a decision model variant: its name, parent model and DMN definition."""

    name: str = Field(min_length=1)
    decision_model: str = Field(min_length=1)
    """The parent model's ref (wire: ``decisionModelDefinitionRef``; it is in the create path)."""
    definition: str = Field(min_length=1)
    """The decision canvas as a DMN XML document (the service stores it as a string)."""

    def create_body(self) -> dict[str, Any]:
        return {"name": self.name, "definition": self.definition}

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.update({"name": self.name, "definition": self.definition, "archived": False})
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        parent = live.get("decisionModelDefinitionRef") or previous.get("decision_model")
        return {"name": live.get("name"), "decision_model": parent, "definition": live.get("definition")}


def model_name_before_archive(name: Any) -> Any:
    """``"Next best offer - archived 2024-05-01 10:00"`` -> ``"Next best offer"``."""
    return ARCHIVED_NAME_RE.sub("", name) if isinstance(name, str) else name
