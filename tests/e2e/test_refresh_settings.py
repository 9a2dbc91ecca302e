"""Which settings a plain ``pulumi refresh`` uses: the ones recorded by the last ``up`` (or by the
last ``refresh --run-program``, even a failed one), not the stack's present configuration;
``--run-program`` uses the present one (docs/facts/pulumi.md#refresh-config). docs/recovery.md
("5. A refresh uses the settings of the last `up`") says what a user sees; this is what it describes."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_PROJECT_UID, StackFactory
from tests.e2e.test_tenant_guard import (
    OTHER_PROJECT,
    WRONG_TOKEN,
    contentstack_program,
    failed_refresh,
    ids,
    tenants,
)

pytestmark = pytest.mark.e2e

REFUSED = "Contentstack refused the credentials (HTTP 401)"


def failed_plain_refresh(stack: Any) -> str:
    with pytest.raises(auto.CommandError) as failure:
        stack.refresh()
    return str(failure.value)


def test_a_plain_refresh_reads_with_the_settings_last_recorded(stack_factory: StackFactory, emulator: Any) -> None:
    stack = stack_factory(contentstack_program)
    stack.up()
    before = ids(stack)

    # another project set after the up: the plain refresh still reads the recorded one, records
    # nothing new and reports nothing; --run-program uses the new setting and refuses it
    stack.stack.set_config("personalize:contentstackProjectUid", auto.ConfigValue(OTHER_PROJECT))
    stack.refresh()
    assert ids(stack) == before
    assert {t["project_uid"] for t in tenants(stack)} == {CONTENTSTACK_PROJECT_UID}
    assert f"configured for Contentstack project {OTHER_PROJECT}" in failed_refresh(stack)
    stack.stack.set_config("personalize:contentstackProjectUid", auto.ConfigValue(CONTENTSTACK_PROJECT_UID))
    stack.refresh(run_program=True)

    # a credential the service refuses, set after the up: the plain refresh still uses the last
    # up's token and succeeds; --run-program uses the new one and fails, naming the setting
    stack.stack.set_config("personalize:contentstackAuthtoken", auto.ConfigValue(WRONG_TOKEN, secret=True))
    stack.refresh()
    text = failed_refresh(stack)
    assert REFUSED in text and "check personalize:contentstackAuthtoken / personalize:contentstackOauthToken" in text
    assert ids(stack) == before

    # that failed --run-program refresh recorded the refused token: with the configuration put
    # back, a plain refresh still fails until an up or a --run-program refresh records it again
    stack.stack.set_config("personalize:contentstackAuthtoken", auto.ConfigValue(CONTENTSTACK_AUTHTOKEN, secret=True))
    assert REFUSED in failed_plain_refresh(stack)
    stack.refresh(run_program=True)
    stack.refresh()
    assert ids(stack) == before
    stack.assert_no_changes()
