"""A Contentstack project as a program: attributes, events, audiences, experiences, priority.

What becomes a resource is what the provider manages: custom attributes (presets are built in),
audiences with a rule definition (Lytics-synced audiences are not), experiences whose managed
version (``latestVersion``) the resource can state. Every reference (a rule's custom attribute, a
variant's or the targeting's audiences, a metric's event) points at the generated resource when
that object is exported too, and stays a uid otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .._values import Json
from ..contentstack import api as cs_api
from ..contentstack import cma as cs_cma
from ..contentstack.models import AttributeInputs, AudienceInputs, EventInputs, ExperienceInputs
from ..contentstack.resources import (
    ATTRIBUTE,
    AUDIENCE,
    EVENT,
    EXPERIENCE,
    EXPERIENCE_PRIORITY,
    VARIANT_GROUP_CONTENT_TYPES,
)
from ..contentstack.rules import (
    BooleanMatchModel,
    CustomAttributeRefModel,
    DateTimeMatchModel,
    JsonMatchModel,
    NumberMatchModel,
    PresetAttributeRefModel,
    RuleCombinationModel,
    RuleModel,
    StringMatchModel,
)
from .builder import ProgramBuilder, title_of
from .program import Call, Program, Ref, validation_message
from .reader import ContentstackSnapshot
from .selection import Selection

if TYPE_CHECKING:  # annotations only: the exporter never calls the engine
    from ..engine import ResourceSpec

__all__ = ["contentstack_program"]

IMPORTS = ["import pulumi", "from pulumi_personalize import contentstack as cs",
           "from pulumi_personalize.contentstack import rules"]


class Unsupported(ValueError):
    """An object the provider cannot state as it is (adopting it would change it)."""


class _Builder(ProgramBuilder):
    package = "cs"

    def __init__(self, snap: ContentstackSnapshot, selection: Selection) -> None:
        where = f"project {snap.tenant.project_uid} at {snap.tenant.host}"
        super().__init__(selection, Program("contentstack", f"Contentstack Personalize {where}, as code.", list(IMPORTS)))
        self.snap = snap
        self.attributes: dict[str, str] = {}  # uid -> variable
        self.events: dict[str, str] = {}
        self.audiences: dict[str, str] = {}
        self.experiences: dict[str, str] = {}

    def kinds(self) -> tuple[Callable[[], None], ...]:
        return (self.attributes_, self.events_, self.audiences_, self.experiences_, self.variant_groups_,
                self.priority_)

    # -- helpers -----------------------------------------------------------------------------------

    def declared(self, spec: ResourceSpec[Any], item: Json, *, but: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
        """The live object's values of the resource's declared arguments (the ones the service
        needs, and the others that are set), by their argument names."""
        decl = spec.declaration
        found = [(a.name, item.get(decl.wire_name(a.name))) for a in decl.args if a.name not in but]
        return [(name, value) for name, value in found if value or decl.required(name)]

    def as_declared(self, kind: str, spec: ResourceSpec[Any], model: type[BaseModel], item: Json, title: str,
                    table: dict[str, str]) -> None:
        """A resource whose arguments are the object's declared fields as they are (attributes, events)."""
        if self.states(kind, title, model, item, cannot="the provider cannot state it"):
            table[str(item["uid"])] = self.add(kind, spec, title, str(item["uid"]), self.declared(spec, item))

    @staticmethod
    def ref(table: dict[str, str], uid: Any) -> Any:
        """The generated resource's uid when it is exported, else the uid itself."""
        var = table.get(str(uid))
        return Ref(var, "uid") if var else uid

    # -- kinds -------------------------------------------------------------------------------------

    def attributes_(self) -> None:
        for item, title in self.chosen("attribute", self.snap.attributes, ("key", "name", "uid"), ("name", "key")):
            if cs_api.is_preset(item):
                self.skip("attribute", title, "preset attribute (built in, not managed)")
            else:
                self.as_declared("attribute", ATTRIBUTE, AttributeInputs, item, title, self.attributes)

    def events_(self) -> None:
        for item, title in self.chosen("event", self.snap.events, ("key", "uid"), ("key", "name")):
            self.as_declared("event", EVENT, EventInputs, item, title, self.events)

    def audiences_(self) -> None:
        for item, title in self.chosen("audience", self.snap.audiences, ("name", "uid"), ("name",)):
            if str(item.get("source") or "").upper() == "LYTICS" or item.get("definition") is None:
                self.skip("audience", title, "Lytics-synced audience (no rule definition; not managed)")
                continue
            try:
                model = AudienceInputs.model_validate({"name": item.get("name"), "definition": item["definition"]})
                definition = self.rule(model.definition)
            except ValidationError as exc:
                self.skip("audience", title, f"its rules cannot be stated by the provider ({validation_message(exc)})")
                continue
            except Unsupported as exc:
                self.skip("audience", title, str(exc))
                continue
            kwargs = [*self.declared(AUDIENCE, item, but=("definition",)), ("definition", definition)]
            self.audiences[str(item["uid"])] = self.add("audience", AUDIENCE, title, str(item["uid"]), kwargs)

    def rule(self, node: BaseModel | None) -> Any:
        if isinstance(node, RuleCombinationModel):
            func = "rules.all_of" if node.combination_type == "AND" else "rules.any_of"
            return Call(func, tuple(self.rule(child) for child in node.rules))
        if isinstance(node, RuleModel):
            args: list[Any] = [self.attribute(node.attribute), node.attribute_match_condition]
            if node.attribute_match_options is not None:
                args.append(self.options(node.attribute_match_options))
            kwargs = (("invert_condition", True),) if node.invert_condition else ()
            return Call("rules.Rule", tuple(args), kwargs)
        raise Unsupported(f"a rule node of type {type(node).__name__} is not supported")

    def attribute(self, ref: BaseModel) -> Call:
        if isinstance(ref, PresetAttributeRefModel):
            return Call("rules.preset", (ref.ref,))
        if isinstance(ref, CustomAttributeRefModel):
            return Call("rules.custom", (self.ref(self.attributes, ref.ref),))
        raise Unsupported(f"attribute reference {type(ref).__name__} is not supported")

    def options(self, options: BaseModel) -> Call:
        if isinstance(options, StringMatchModel):
            return Call("rules.StringMatch", (options.value,))
        if isinstance(options, NumberMatchModel):
            return Call("rules.NumberMatch", (options.value,))
        if isinstance(options, BooleanMatchModel):
            return Call("rules.BooleanMatch", (options.value,))
        if isinstance(options, DateTimeMatchModel):
            kwargs: list[tuple[str, Any]] = []
            if options.start_time is not None:
                kwargs.append(("start_time", options.start_time))
            if options.end_time is not None:
                kwargs.append(("end_time", options.end_time))
            if options.use_visitor_timezone:
                kwargs.append(("use_visitor_timezone", True))
            return Call("rules.DateTimeMatch", (), tuple(kwargs))
        if isinstance(options, JsonMatchModel):
            extra = (("invert_condition", True),) if options.invert_condition else ()
            return Call("rules.JsonMatch", (options.pointer, options.match_condition,
                                            self.options(options.match_options)), extra)
        raise Unsupported(f"match options {type(options).__name__} are not supported")

    def experiences_(self) -> None:
        for item, title in self.chosen("experience", self.snap.experiences, ("name", "uid"), ("name",)):
            try:
                kwargs = self.experience(item)
            except Unsupported as exc:
                self.skip("experience", title, str(exc))
                continue
            self.experiences[str(item["uid"])] = self.add("experience", EXPERIENCE, title, str(item["uid"]), kwargs)
            current, active = cs_api.current_version(item), cs_api.active_version(item)
            if active is not None and current is not None and active.get("uid") != current.get("uid"):
                self.program.resources[-1].comment = (
                    f"Visitors get ACTIVE version {active.get('uid')}; this manages the newer "
                    f"{current.get('status')}.")

    def experience(self, item: Json) -> list[tuple[str, Any]]:
        current = cs_api.current_version(item)
        if current is not None:
            status = current.get("status")
            if status not in ("DRAFT", "ACTIVE", "PAUSED"):
                raise Unsupported(f"its newest version is {status} (a resource manages a DRAFT, ACTIVE or PAUSED one)")
        inputs = cs_api.experience_from_wire(item, {}, None)
        try:
            model = ExperienceInputs.model_validate(inputs)
        except ValidationError as exc:
            raise Unsupported(f"its version cannot be stated by the provider ({validation_message(exc)})") from None
        kwargs: list[tuple[str, Any]] = [("name", model.name)]
        if item.get("description"):
            kwargs.append(("description", item["description"]))
        kwargs += [("type", model.type), ("status", model.status)]
        variants = []
        for variant in model.variants:
            args: list[tuple[str, Any]] = [("name", variant.name)]
            if model.type == "SEGMENTED":
                if variant.audiences or not variant.lytics_audiences:
                    args.append(("audiences", [self.ref(self.audiences, a) for a in variant.audiences or []]))
                if variant.audience_combination_type not in (None, "OR"):
                    args.append(("audience_combination_type", variant.audience_combination_type))
                if variant.lytics_audiences:  # Lytics ids: not objects of the project, written as they are
                    args.append(("lytics_audiences", list(variant.lytics_audiences)))
            elif variant.traffic_distribution is not None:
                args.append(("traffic_distribution", variant.traffic_distribution))
            variants.append(Call("cs.ExperienceVariantArgs", (), tuple(args)))
        if variants:
            kwargs.append(("variants", variants))
        if model.variant_split is not None:
            kwargs.append(("variant_split", model.variant_split))
        metrics = []
        for metric in model.metrics:
            args = [("event", self.ref(self.events, metric.event))]
            if metric.name is not None:
                args.append(("name", metric.name))
            if metric.type != "Primary":
                args.append(("type", metric.type))
            metrics.append(Call("cs.ExperienceMetricArgs", (), tuple(args)))
        if metrics:
            kwargs.append(("metrics", metrics))
        if model.targeting is not None:
            args = [("audiences", [self.ref(self.audiences, a) for a in model.targeting.audiences])]
            if model.targeting.audience_combination_type != "AND":
                args.append(("audience_combination_type", model.targeting.audience_combination_type))
            kwargs.append(("targeting", Call("cs.ExperienceTargetingArgs", (), tuple(args))))
        return kwargs

    def variant_groups_(self) -> None:
        """The content types linked to each exported experience's CMS variant group: a link resource
        (not adoptable, nothing to take over: its create links what is linked already, a no-op)."""
        if not self.selection.wants("variant_group") or not self.experiences:
            return
        if self.snap.variant_groups is None:
            self.skip("variant_group", "content types linked to the experiences' CMS variant groups",
                      self.snap.variant_groups_unread or "the stack's variant groups were not read")
            return
        for item in self.snap.experiences:
            var = self.experiences.get(str(item.get("uid")))
            group = self.group_of(item) if var is not None else None
            linked = cs_cma.linked_content_types(group) if group is not None else []
            if var is None or not linked:
                continue
            title = f"{title_of(item, 'name', 'uid')} content types"
            self.add("variant_group", VARIANT_GROUP_CONTENT_TYPES, title, None,
                     [("experience", Ref(var, "uid")), ("content_types", linked)],
                     import_id=str((group or {}).get("uid")))

    def group_of(self, experience: Json) -> Json | None:
        """The experience's group: the one naming it (``personalize_metadata``), else the one whose uid
        is the experience's ``_cms.variantGroup``."""
        uid, groups = str(experience.get("uid")), self.snap.variant_groups or []
        named = next((g for g in groups if cs_cma.experience_of(g) == uid), None)
        group_uid = cs_api.cms_variant_group(experience)
        return named or next((g for g in groups if group_uid and g.get("uid") == group_uid), None)

    def priority_(self) -> None:
        if not self.selection.wants("priority") or self.snap.priority is None:
            return
        # ExperiencePriority puts the named experiences first and keeps the others after them: the
        # head of the live order that was exported says the same order without changing it.
        head: list[Ref] = []
        for uid in self.snap.priority:
            var = self.experiences.get(uid)
            if var is None:
                break
            head.append(Ref(var, "uid"))
        if not head:
            reason = ("the project has no experiences" if not self.snap.priority
                      else "its first experience is not exported (select the experiences too)")
            self.skip("priority", "experience priority", reason)
            return
        left = len(self.snap.priority) - len(head)
        if left:
            self.skip("priority", "experience priority",
                      f"the last {left} of {len(self.snap.priority)} places are left to the service's order "
                      "(their experiences are not exported)")
        self.add("priority", EXPERIENCE_PRIORITY, "priority", None, [("experiences", head)],
                 import_id=cs_api.PRIORITY_ID)


def contentstack_program(snap: ContentstackSnapshot, selection: Selection) -> Program:
    return _Builder(snap, selection).build()
