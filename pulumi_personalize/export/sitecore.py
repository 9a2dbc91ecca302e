"""A Sitecore Personalize tenant as a program: connections, templates, decision models (with their
variants and deployment) and flows.

Arguments are the provider's own reading of each live object (``*Inputs.inputs_from_api``), so the
first ``up`` writes back what is there. References: a decision model variant names its model, a
deployment its variants, a flow task the decision models it runs and the template whose code it
carries (``template.element(...)`` when the code is that template's, as the flow builders make it).
Template code and DMN definitions go to files next to the program. Archived objects are skipped
unless ``--include-archived`` (adopting one unarchives it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._values import Json
from ..sitecore.models.common import is_archived
from ..sitecore.models.connections import (
    AUTH_SECRET_FIELDS,
    DEFAULT_ICON,
    DEFAULT_TIMEOUT_MS,
    ConnectionInputs,
)
from ..sitecore.models.decision_models import (
    DecisionModelDeploymentInputs,
    DecisionModelVariantInputs,
    model_name_before_archive,
)
from ..sitecore.models.flows import DECLARABLE_FLOW_STATUSES, FlowDefinitionInputs
from ..sitecore.models.templates import TemplateInputs
from ..sitecore.resources import (
    CONNECTION,
    CONNECTION_AUTH,
    DECISION_MODEL,
    DECISION_MODEL_DEPLOYMENT,
    DECISION_MODEL_VARIANT,
    FLOW_DEFINITION,
    TEMPLATE,
)
from .builder import ProgramBuilder
from .program import SECRET_OVERWRITE, Call, FileRead, Program, Ref, SecretSetting, file_slug
from .reader import SitecoreSnapshot
from .selection import Selection

if TYPE_CHECKING:  # annotations only: the exporter never calls the engine
    pass

__all__ = ["sitecore_program"]

IMPORTS = ["import pulumi", "from pulumi_personalize import sitecore as sc"]
EXTENSIONS = {"html": "html", "css": "css", "js": "js", "freemarker": "ftl"}
LONG_TEXT = 120
"""Flow code longer than this (or on several lines) goes to a file."""
# Statuses the service moves a running flow through by itself: declared as PRODUCTION.
_RUNNING = ("PUBLISHING", "SCHEDULED", "LIVE")


def _camel(text: str) -> str:
    head, *rest = text.split("_")
    return head + "".join(part.capitalize() for part in rest)


_ARCHIVED = "archived (--include-archived adopts and unarchives it)"


class _Builder(ProgramBuilder):
    package = "sc"

    def __init__(self, snap: SitecoreSnapshot, selection: Selection) -> None:
        tenant = snap.tenant
        who = f"tenant {tenant.client_key}" if tenant.client_key else "tenant"
        super().__init__(selection, Program("sitecore", f"Sitecore Personalize {who} at {tenant.host}, as code.",
                                            list(IMPORTS)))
        self.snap = snap
        self.templates: dict[str, tuple[str, dict[str, str]]] = {}  # ref -> (variable, code by element)
        self.models: dict[str, str] = {}  # ref -> variable
        self.files: set[str] = set()

    def kinds(self) -> tuple[Callable[[], None], ...]:
        return (self.connections_, self.templates_, self.decision_models_, self.flows_)

    # -- helpers -----------------------------------------------------------------------------------

    def unarchived(self, kind: str, title: str, item: Json) -> bool:
        """Whether to export the object: not archived, or archived ones asked for (else it is skipped)."""
        if is_archived(item) and not self.selection.include_archived:
            self.skip(kind, title, _ARCHIVED)
            return False
        return True

    def file(self, folder: str, stem: str, extension: str, content: str) -> str:
        path = f"{folder}/{stem}.{extension}"
        number = 2
        while path in self.files:
            path = f"{folder}/{stem}_{number}.{extension}"
            number += 1
        self.files.add(path)
        return self.program.add_file(path, content)

    # -- connections -------------------------------------------------------------------------------

    def connections_(self) -> None:
        for item, title in self.chosen("connection", self.snap.connections, ("name", "ref"), ("name",)):
            if not self.unarchived("connection", title, item):
                continue
            inputs = ConnectionInputs.inputs_from_api(item, {})
            var = self.names.new(title, "connection")
            self.names.taken.discard(var)  # claimed again by add(); the secrets' keys need it first
            kwargs: list[tuple[str, Any]] = [("name", inputs.get("name"))]
            if inputs.get("description"):
                kwargs.append(("description", inputs["description"]))
            kwargs.append(("system_type", inputs.get("system_type")))
            request = inputs.get("request") or {}
            kwargs.append(("request", Call("sc.ConnectionRequestArgs", (), tuple(request.items()))))
            auth = dict(inputs.get("auth") or {})
            live_auth: Mapping[str, Any] = item["auth"] if isinstance(item.get("auth"), Mapping) else {}
            secrets: list[SecretSetting] = []
            for name in AUTH_SECRET_FIELDS:
                wire = CONNECTION_AUTH.wire_name(name)
                needed = name in auth or wire in live_auth or (name == "client_secret" and auth.get("auth_type") == "OAUTH")
                auth.pop(name, None)  # never the secret itself in the program
                if needed:
                    key = f"{_camel(var)}{wire[0].upper()}{wire[1:]}"
                    secrets.append(SecretSetting(key, f"{wire} of connection {title!r}"))
                    auth[name] = Call("config.require_secret", (key,))
            placeholders = {k: "placeholder" if isinstance(v, Call) else v for k, v in auth.items()}
            if not self.states("connection", title, ConnectionInputs, {**inputs, "auth": placeholders}):
                continue
            self.program.secrets += secrets
            if auth and auth != {"auth_type": "NONE"}:
                kwargs.append(("auth", Call("sc.ConnectionAuthArgs", (), tuple(auth.items()))))
            for name in ("input_mappings", "output_mappings", "custom_headers", "url_parameters"):
                if inputs.get(name):
                    kwargs.append((name, inputs[name]))
            for name in ("connection_timeout", "socket_timeout"):
                if inputs.get(name, DEFAULT_TIMEOUT_MS) != DEFAULT_TIMEOUT_MS:
                    kwargs.append((name, inputs[name]))
            if inputs.get("icon", DEFAULT_ICON) != DEFAULT_ICON:
                kwargs.append(("icon", inputs["icon"]))
            self.add("connection", CONNECTION, title, str(item["ref"]), kwargs)
            if secrets:
                self.program.resources[-1].comment = SECRET_OVERWRITE.format(
                    ", ".join(f"config {s.key}" for s in secrets))

    # -- templates ---------------------------------------------------------------------------------

    def templates_(self) -> None:
        templates = self.chosen("template", self.snap.templates, ("friendlyId", "name", "ref"), ("name", "friendlyId"))
        for item, title in templates:
            inputs = TemplateInputs.inputs_from_api(item, {})
            code = {str(e["id"]): str(e["template"]) for e in inputs.get("template_elements") or []}
            if not self.unarchived("template", title, item):
                continue
            if not self.states("template", title, TemplateInputs, inputs):
                continue
            kwargs: list[tuple[str, Any]] = [("name", inputs.get("name")), ("friendly_id", inputs.get("friendly_id")),
                                             ("type", inputs.get("type")), ("status", inputs.get("status"))]
            if inputs.get("description"):
                kwargs.append(("description", inputs["description"]))
            if inputs.get("render"):
                kwargs.append(("render", True))
            folder = f"templates/{file_slug(inputs.get('friendly_id'), 'template')}"
            for element, text in code.items():
                kwargs.append((f"{element}_file", self.file(folder, "template", EXTENSIONS[element], text)))
            if inputs.get("tags"):
                kwargs.append(("tags", inputs["tags"]))
            var = self.add("template", TEMPLATE, title, str(item["ref"]), kwargs)
            self.templates[str(item["ref"])] = (var, code)

    # -- decision models ---------------------------------------------------------------------------

    def decision_models_(self) -> None:
        if not self.selection.wants("decision_model"):
            return
        for item in self.snap.decision_models:
            name = model_name_before_archive(item.get("name")) if is_archived(item) else item.get("name")
            title = str(name or item.get("ref"))
            if not self.selection.matches(name) or not self.unarchived("decision_model", title, item):
                continue
            model_ref = str(item["ref"])
            model = self.add("decision_model", DECISION_MODEL, title, model_ref, [("name", name)])
            self.models[model_ref] = model
            variants: dict[str, str] = {}
            folder = f"decision_models/{file_slug(title, 'model')}"
            for variant in self.snap.variants.get(model_ref, []):
                vtitle = f"{title} / {variant.get('name')}"
                if not self.unarchived("decision_model_variant", vtitle, variant):
                    continue
                if not self.states("decision_model_variant", vtitle, DecisionModelVariantInputs, {
                        "name": variant.get("name"), "decision_model": model_ref, "definition": variant.get("definition")}):
                    continue
                path = self.file(folder, file_slug(str(variant.get("name")), "variant"), "dmn",
                                 str(variant.get("definition") or ""))
                var = self.add("decision_model_variant", DECISION_MODEL_VARIANT, f"{model} {variant.get('name')}",
                               str(variant["ref"]),
                               [("name", variant.get("name")), ("decision_model", Ref(model, "ref")),
                                ("definition_file", path)])
                variants[str(variant["ref"])] = var
            deployed = (item.get("deploymentConfiguration") or {}).get("variants") or []
            entries_in = [{"variant_ref": e.get("variantRef"), "split": e.get("split"), "status": e.get("status"),
                           "variant_revision": e.get("variantRevision")} for e in deployed if isinstance(e, Mapping)]
            if not deployed or not self.states("decision_model_deployment", f"{title} deployment",
                                               DecisionModelDeploymentInputs,
                                               {"decision_model": model_ref, "variants": entries_in}):
                continue
            entries = []
            for entry in deployed:
                ref = str(entry.get("variantRef"))
                # The deployed revision is stated as it is: adopting the variant may raise its
                # revision number without changing it, and the deployment must not move on.
                entries.append(Call("sc.DeployedVariant", (), (
                    ("split", entry.get("split")), ("status", entry.get("status")),
                    ("variant_ref", Ref(variants[ref], "ref") if ref in variants else ref),
                    ("variant_revision", entry.get("variantRevision")),
                )))
            self.add("decision_model_deployment", DECISION_MODEL_DEPLOYMENT, f"{model} deployment", None,
                     [("decision_model", Ref(model, "ref")), ("variants", entries)], import_id=model_ref)
            self.program.resources[-1].comment = ("The deployed revisions as they are. DeployedVariant(variant=...)\n"
                                                  "instead follows each variant's latest revision.")

    # -- flows -------------------------------------------------------------------------------------

    def template_element(self, text: Any, element: str) -> Any:
        """``template.element(...)`` when ``text`` is an exported template's code for that element."""
        if not isinstance(text, str):
            return None
        for var, code in self.templates.values():
            if code.get(element) == text:
                return Call(f"{var}.element", (element,))
        return None

    def code(self, text: Any, element: str, folder: str, stem: str) -> Any:
        found = self.template_element(text, element)
        if found is not None:
            return found
        if isinstance(text, str) and (len(text) > LONG_TEXT or "\n" in text):
            self.program.uses_files = True
            return FileRead(self.file(folder, stem, EXTENSIONS[element], text))
        return text

    def flows_(self) -> None:
        for item, title in self.chosen("flow", self.snap.flows, ("friendlyId", "name", "ref"), ("name", "friendlyId")):
            if not self.unarchived("flow", title, item):
                continue
            if any(isinstance(v, Mapping) and not v.get("ref") for v in item.get("variants") or []):
                self.skip("flow", title, "a variant has no ref (the provider would give it one)")
                continue
            inputs = FlowDefinitionInputs.inputs_from_api(item, {})
            status = inputs.get("status")
            if status in _RUNNING:
                inputs["status"] = "PRODUCTION"
            elif status not in DECLARABLE_FLOW_STATUSES:
                self.skip("flow", title, f"status {status} cannot be declared (only {', '.join(DECLARABLE_FLOW_STATUSES)})")
                continue
            if not self.states("flow", title, FlowDefinitionInputs, inputs):
                continue
            folder = f"flows/{file_slug(inputs.get('friendly_id'), 'flow')}"
            inputs["variants"] = [self.flow_variant(v, folder) for v in inputs.get("variants") or []]
            # every declared argument the flow sets, in the declaration's order (variants even when none)
            kwargs = [(a.name, inputs.get(a.name)) for a in FLOW_DEFINITION.declaration.args
                      if a.name == "variants" or inputs.get(a.name) not in (None, [], {})]
            self.add("flow", FLOW_DEFINITION, title, str(item["ref"]), kwargs)
            if status in _RUNNING:
                self.program.resources[-1].comment = f"The service reports {status}: on its way to or in production."

    def flow_variant(self, variant: Mapping[str, Any], folder: str) -> dict[str, Any]:
        out = dict(variant)
        stem = file_slug(str(variant.get("name")), "variant")
        assets = out.get("assets")
        if isinstance(assets, Mapping):
            out["assets"] = {k: self.code(v, k, folder, stem) for k, v in assets.items()}
        tasks = []
        for task in out.get("tasks") or []:
            task_input = {k: v for k, v in dict(task.get("input") or {}).items() if k != "input_type"}
            if "template" in task_input:
                task_input["template"] = self.code(task_input["template"], "freemarker", folder, stem)
            if "decision_model_refs" in task_input:
                task_input["decision_model_refs"] = [
                    Ref(self.models[r], "ref") if r in self.models else r for r in task_input["decision_model_refs"]
                ]
            tasks.append({"implementation": task.get("implementation"), "input": task_input})
        out["tasks"] = tasks
        return out


def sitecore_program(snap: SitecoreSnapshot, selection: Selection) -> Program:
    return _Builder(snap, selection).build()
