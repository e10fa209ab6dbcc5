"""The scim2-tester compliance checks, run against /scim/v2 served over real HTTP.

The checks are driven by what the service publishes (its Schemas and ResourceTypes). Two of
their random values are made to fit our rules, which any real client meets: `userName` is an
e-mail address (the tester would send random text), and `department` names a unit we have
(a random one would be refused, as it is for Entra ID when SCIM_DEFAULT_UNIT is not set).
The results are printed (pytest -s) and recorded in the README, "Provisioning (SCIM 2.0)".
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections import Counter

import httpx
import pytest
from werkzeug.serving import make_server

from reuse.services import scim_tokens, units

# scim2-client's network engine imports httpx2 (pydantic's fork of httpx, same API); the
# project pins httpx, which offers everything the engine uses (Client, Response, errors).
sys.modules.setdefault("httpx2", httpx)

from scim2_client.engines.httpx2 import SyncSCIMClient as _Httpx2Client  # noqa: E402
from scim2_tester import Status, check_server, filling  # noqa: E402

UNIT_CODE = "42001"

# What is not SUCCESS, and why (README): an account always has a name, a state and a unit,
# so PATCH "remove" of these is accepted and changes nothing; POST /.search is not served.
KEPT_ON_REMOVE = {"name", "displayName", "active",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}


class SyncSCIMClient(_Httpx2Client):
    """The engine's one httpx2-only call (URL.origin), written for httpx."""

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        try:
            url = self.client.build_request("GET", endpoint).url
        except httpx.InvalidURL:
            return False
        return ((url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
                and url.raw_path.startswith(base.raw_path))


@pytest.fixture
def server(app, db, monkeypatch):
    units.create_unit(name="Nordnes skole", code=UNIT_CODE)
    # The checks create accounts with userName alone, as a provider may: they join this unit.
    monkeypatch.setitem(app.config, "SCIM_DEFAULT_UNIT", UNIT_CODE)
    _, plain = scim_tokens.create_token(None, "scim2-tester")
    db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}/scim/v2", plain
    http.shutdown()
    thread.join()


@pytest.fixture
def fitting_values(monkeypatch):
    original = filling.get_random_example_value

    def example(path):
        text = str(path)
        if text.endswith("userName"):
            return f"{uuid.uuid4().hex[:12]}@bergen.example"
        if text.endswith("department"):
            return UNIT_CODE
        return original(path)

    monkeypatch.setattr(filling, "get_random_example_value", example)


def test_scim2_tester_compliance(server, fitting_values):
    base_url, token = server
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)

    outcomes = Counter()
    passed = set()
    lines = []
    for result in results:
        outcomes[result.status.name] += 1
        if result.status == Status.SUCCESS:
            passed.add(result.title)
        lines.append(f"{result.status.name:9} {result.title} "
                     f"{result.resource_type or ''}: {(result.reason or '')[:160]}")
    print("\nscim2-tester:", dict(outcomes))
    print("\n".join(lines))
    expected_errors = {f"PATCH modify() did not remove attribute '{name}'"
                       for name in KEPT_ON_REMOVE}
    errors = {r.reason for r in results if r.status != Status.SUCCESS
              and r.status != Status.SKIPPED}
    assert errors == expected_errors, "\n".join(lines)
    assert {r.title for r in results if r.status == Status.SKIPPED} == {"search_with_attributes"}
    assert {"object_creation", "object_query", "object_query_without_id", "object_replacement",
            "object_deletion", "check_add_attribute", "check_replace_attribute",
            "service_provider_config_endpoint", "query_all_schemas",
            "query_all_resource_types"} <= passed
