"""The Contentstack backend: owns the projects in the store and every write to them.

Handlers (``handlers.py``) check credentials and headers, then call one method here; the rules on the
objects live in ``models.py`` and ``experiences.py``. Time comes from the emulator's clock only.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Iterator, Mapping
from typing import Any

from ..clock import Clock
from ..common import ApiError, Json, new_uid
from ..settings import EmulatorSettings
from ..state import Store
from . import experiences as ex
from . import models
from .models import Context, Kind


class ContentstackBackend:
    def __init__(self, store: Store, settings: EmulatorSettings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        clock.on_change(self.run_due_jobs)  # a test that moves the clock sees due jobs done at once

    @property
    def quotas(self) -> Mapping[str, int]:
        return self.settings.contentstack_quotas

    # --- projects ---------------------------------------------------------------------------------

    def refuse_disabled(self, organization: str | None) -> None:
        """Where Personalize is not enabled the gateway answers 403 with ``error: "Forbidden"`` (the vendor
        CLI compares the extracted error with that string)."""
        if organization and organization in self.settings.contentstack_disabled_organizations:
            raise ApiError(403, "Forbidden", code="Forbidden")

    @contextlib.contextmanager
    def project(self, project_uid: str, *, write: bool) -> Iterator[Json]:
        """The project under the store's lock, with due background jobs run; ``write`` creates it if need
        be and saves on a clean exit."""
        with (self.store.mutate() if write else self.store.read()) as data:
            exists = project_uid in data["contentstack"]["projects"]
            if exists:
                info = data["contentstack"]["projects"][project_uid].get("info", {})
                self.refuse_disabled(info.get("organizationUid"))
            project = models.prepare(self.store.project(data, project_uid, create=write))
            if ex.run_due_cms_jobs(project, self.clock.time()) and exists and not write:
                self.store.changed()
            yield project

    def projects(self, organization: str, stack: str | None) -> list[Json]:
        with self.store.read() as data:
            projects = data["contentstack"]["projects"].values()
            return [models.present_project(models.prepare(p)) for p in projects
                    if p.get("info", {}).get("organizationUid") == organization
                    and (not stack or p["info"].get("connectedStackApiKey") == stack)]

    def create_project(self, organization: str, body: Any) -> Json:
        with self.store.mutate() as data:
            existing = models.organization_projects(data, organization)
            fields = models.validate_project(body, existing)
            models.quota_check(self.quotas, "projects_per_organization", len(existing), "projects per organization")
            uid = new_uid()
            info = {"_id": uid, "uid": uid, **fields, "organizationUid": organization}
            info.setdefault("description", "")
            models.stamp(info, created=True, moment=self.clock.iso())
            project = models.prepare(self.store.project(data, uid, create=True))
            project["info"] = info
            return models.present_project(project)

    # --- the listed kinds: one implementation for all -----------------------------------------------

    def _context(self, project: Json, project_uid: str, current: Json | None = None) -> Context:
        return Context(project, project_uid, self.clock.iso(), self.quotas, current)

    @staticmethod
    def _find(project: Json, kind: Kind, uid: str) -> Json:
        obj: Json | None = project[kind.key].get(uid)
        if obj is None:
            raise ApiError(404, f"{kind.label} with uid {uid} was not found")
        return obj

    @staticmethod
    def _present(kind: Kind, project: Json, obj: Json) -> Json:
        """A copy: the handler serializes it after the store's lock is released."""
        return kind.present(project, obj) if kind.present else copy.deepcopy(obj)

    def listing(self, kind: Kind, project_uid: str) -> list[Json]:
        with self.project(project_uid, write=False) as project:
            found = kind.listing(project, project_uid) if kind.listing else list(project[kind.key].values())
            return [self._present(kind, project, obj) for obj in found]

    def get(self, kind: Kind, project_uid: str, uid: str) -> Json:
        with self.project(project_uid, write=False) as project:
            return self._present(kind, project, self._find(project, kind, uid))

    def create(self, kind: Kind, project_uid: str, body: Any) -> Json:
        with self.project(project_uid, write=True) as project:
            ctx = self._context(project, project_uid)
            fields = kind.validate(body, ctx)
            if kind.quota is not None:
                models.quota_check(self.quotas, kind.quota[0], len(project[kind.key]), kind.quota[1])
            if kind.insert is not None:
                obj = kind.insert(ctx, fields)
            else:
                obj = models.new_object(project_uid, fields, ctx.now)
                project[kind.key][obj["uid"]] = obj
            return self._present(kind, project, obj)

    def update(self, kind: Kind, project_uid: str, uid: str, body: Any) -> Json:
        if kind.protected is not None:
            kind.protected(project_uid, uid)
        with self.project(project_uid, write=True) as project:
            current = self._find(project, kind, uid)
            ctx = self._context(project, project_uid, current)
            obj = models.replaced(current, kind.validate(body, ctx), ctx.now)
            project[kind.key][uid] = obj
            return self._present(kind, project, obj)

    def delete(self, kind: Kind, project_uid: str, uid: str) -> None:
        if kind.protected is not None:
            kind.protected(project_uid, uid)
        with self.project(project_uid, write=True) as project:
            self._find(project, kind, uid)
            if kind.remove is not None:
                kind.remove(project, uid)
            else:
                del project[kind.key][uid]

    # --- versions ---------------------------------------------------------------------------------

    def versions(self, project_uid: str, uid: str) -> list[Json]:
        """Newest first: versions are ordered by ``createdAt``; the direction is unconfirmed, a third-party
        live report says element 0 is usually the latest."""
        with self.project(project_uid, write=False) as project:
            self._find(project, ex.EXPERIENCES, uid)
            return copy.deepcopy(list(reversed(project["versions"].get(uid, []))))

    def create_version(self, project_uid: str, uid: str, body: Any) -> Json:
        with self.project(project_uid, write=True) as project:
            experience = self._find(project, ex.EXPERIENCES, uid)
            ctx = self._context(project, project_uid)
            fields = ex.validate_version(body, experience, ctx)
            version = models.new_object(project_uid, {"experienceUid": uid, **fields}, ctx.now)
            project["versions"].setdefault(uid, []).append(version)
            self._after_write(project, project_uid, uid, version, ctx.now)
            return copy.deepcopy(version)

    def update_version(self, project_uid: str, uid: str, version_uid: str, body: Any) -> Json:
        with self.project(project_uid, write=True) as project:
            experience = self._find(project, ex.EXPERIENCES, uid)
            current = ex.find_version(project, uid, version_uid)
            ctx = self._context(project, project_uid, current)
            fields = ex.validate_version(body, experience, ctx)
            fresh = models.replaced(current, {"experienceUid": uid, **fields}, ctx.now)
            current.clear()
            current.update(fresh)
            self._after_write(project, project_uid, uid, current, ctx.now)
            return copy.deepcopy(current)

    def delete_version(self, project_uid: str, uid: str, version_uid: str) -> None:
        with self.project(project_uid, write=True) as project:
            self._find(project, ex.EXPERIENCES, uid)
            ex.discard_version(project, uid, ex.find_version(project, uid, version_uid))

    def _after_write(self, project: Json, project_uid: str, uid: str, version: Json, moment: str) -> None:
        if version["status"] == "ACTIVE":
            ex.activate(project["versions"][uid], version["uid"], moment)
        delay = self.settings.contentstack_cms_delay
        if ex.schedule_cms(project, uid, self.clock.time() + delay):
            self._run_jobs_later(delay)

    # --- the background job -----------------------------------------------------------------------

    def _run_jobs_later(self, delay: float) -> None:
        """Lets the job run on time when the clock runs and nobody reads the experience (state file,
        log); a moved clock runs it through ``run_due_jobs`` instead."""
        with contextlib.suppress(RuntimeError):  # no event loop: in-process callers move the clock
            asyncio.get_running_loop().call_later(max(0.0, delay) + 0.01, self.run_due_jobs)

    def run_due_jobs(self) -> None:
        now = self.clock.time()
        with self.store.read() as data:
            changed = [ex.run_due_cms_jobs(models.prepare(p), now) for p in data["contentstack"]["projects"].values()]
            if any(changed):
                self.store.changed()

    # --- priority ---------------------------------------------------------------------------------

    def priority(self, project_uid: str) -> list[str]:
        with self.project(project_uid, write=False) as project:
            return ex.priority(project)

    def set_priority(self, project_uid: str, body: Any) -> list[str]:
        with self.project(project_uid, write=True) as project:
            project["priority"] = ex.validate_priority(body, project)
            return ex.priority(project)

    # --- the rate limit ---------------------------------------------------------------------------

    def rate_limit_key(self, headers: Mapping[str, str]) -> str:
        """The 10 requests/s limit is per organization: ``organization_uid`` on /projects, else the
        organization owning the ``x-project-uid`` project. A project addressed without being created has
        no organization and counts as its own."""
        organization = headers.get("organization_uid", "").strip()
        if organization:
            return "org:" + organization
        project_uid = headers.get("x-project-uid", "").strip()
        if not project_uid:
            return "-"
        with self.store.read() as data:
            info = data["contentstack"]["projects"].get(project_uid, {}).get("info")
        if info and info.get("organizationUid"):
            return "org:" + str(info["organizationUid"])
        return "project:" + project_uid
