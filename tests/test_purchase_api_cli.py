"""Purchases through the API and the command line (API.md, "Purchases"): the same rules as
the import service, the contract's shapes, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from reuse.models import PurchaseLine, Role
from reuse.services import categories as category_service
from reuse.services import checks, purchase_rules

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")


@pytest.fixture
def org(db, catalog, people, make_user):
    people.school.code = "SKOLE"
    people.kindergarten.code = "BHG"
    purchase_rules.load_defaults()
    db.session.commit()
    people.lead = make_user(people.admin.unit, Role.SUSTAINABILITY, name="Siri Berekraft")
    return people


def line_json(line_id: str, **overrides) -> dict:
    return {"line_id": line_id, "order_number": "PO-1", "ordered_on": "2026-03-10",
            "unit_code": "SKOLE", "supplier": "Kinnarps", "description": "Kontorstol",
            "unspsc": "", "category": "kontorstol", "quantity": 2, "amount_nok": 9000.5,
            **overrides}


def test_an_integration_posts_a_batch_twice_and_the_second_changes_nothing(org, api, db):
    client = api(org.lead)
    body = {"source": "Visma", "lines": [line_json("L1"), line_json("L2", quantity="1,5"),
                                         line_json("L3", unit_code="NOSUCH"), "not a line"]}
    first = client.post("/api/v1/purchase-lines", json=body)
    assert first.status_code == 200
    assert first.json["created"] == 2 and first.json["updated"] == 0
    assert [(r["line"], r["line_id"]) for r in first.json["refused"]] == [(3, "L3"), (4, None)]
    assert "NOSUCH" in first.json["refused"][0]["message"]
    assert "ikke et objekt" in first.json["refused"][1]["message"]
    again = client.post("/api/v1/purchase-lines", json=body).json
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    body["lines"][0]["amount_nok"] = "9 100,00"
    changed = client.post("/api/v1/purchase-lines", json=body).json
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    stored = db.session.scalar(select(PurchaseLine).where(PurchaseLine.line_id == "L1"))
    assert stored.amount_nok == Decimal("9100.00")


def test_a_line_with_a_list_or_an_object_for_a_field_is_refused_not_stored_as_text(org, api):
    response = api(org.lead).post("/api/v1/purchase-lines", json={"source": "Visma", "lines": [
        line_json("L1", description={"nb": "Stol"}), line_json("L2", supplier=["A", "B"]),
        line_json("L3", amount_nok="1e1000000"), line_json("L4")]})
    assert response.status_code == 200
    refused = {entry["line_id"]: entry["message"] for entry in response.json["refused"]}
    assert set(refused) == {"L1", "L2", "L3"} and response.json["created"] == 1
    assert "description må være tekst eller tall" in refused["L1"]
    assert "supplier må være tekst eller tall" in refused["L2"]
    assert "amount_nok «1e1000000» er ikke et tall" in refused["L3"]


@pytest.mark.parametrize("role", ["member", "unit_admin"])
def test_only_the_lead_and_admins_may_post_purchase_lines(org, api, db, role):
    response = api(getattr(org, role)).post(
        "/api/v1/purchase-lines", json={"source": "Visma", "lines": [line_json("L1")]})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 0


@pytest.mark.parametrize(("body", "status"), [
    ({"source": "Visma"}, 400),
    ({"source": "Visma", "lines": "L1"}, 400),
    ({"source": "Visma", "lines": []}, 422),
    ({"source": "", "lines": [{"line_id": "L1"}]}, 422),
    ({"source": "Visma", "lines": [{}] * 5001}, 422),
    ({"source": "Visma", "lines": [line_json("L1")], "extra": 1}, 400),
])
def test_a_malformed_batch_is_a_clear_4xx(org, api, body, status):
    response = api(org.admin).post("/api/v1/purchase-lines", json=body)
    assert response.status_code == status
    assert response.json["error"]["message"]


def test_the_report_counts_covered_uncovered_and_available(org, api, db, make_item):
    made = checks.create_check(org.member, "kontorstoler",
                               category=category_service.get_by_slug("kontorstol"))
    checks.record_bought_new(org.member, made, "nothing_suitable", purchase_reference="PO-7")
    db.session.commit()
    api(org.lead).post("/api/v1/purchase-lines", json={"source": "Visma", "lines": [
        line_json("L1", order_number="PO-7", amount_nok=1000),
        line_json("L2", order_number="PO-8", unit_code="BHG", amount_nok=250.25),
        line_json("L3", category="", description="Konsulenttimer", unspsc="80101500",
                  amount_nok=99),
        line_json("L4", category="", description="Kaffe", amount_nok=1),
        line_json("L5", ordered_on="2025-12-31", amount_nok=5),
        # A credit note for part of L2: not a purchase anyone decided on.
        line_json("L6", order_number="PO-8", unit_code="BHG", amount_nok=-50.25)]})
    report = api(org.lead).get("/api/v1/reports/purchases?from=2026-01-01&to=2026-12-31").json
    assert report == {
        "from": "2026-01-01", "to": "2026-12-31", "unit": None, "lines": 5,
        "amount_nok": 1300, "reusable_lines": 2, "reusable_amount_nok": 1250.25,
        "covered_lines": 1, "uncovered_lines": 1, "uncovered_amount_nok": 250.25,
        "coverage_share": 0.5, "unmapped_lines": 1, "not_reusable_lines": 1,
        "credit_lines": 1, "credit_amount_nok": -50.25,
        "uncovered_with_alternative": 0, "uncovered_with_alternative_amount_nok": 0}
    # A member sees their own unit's purchases only, whatever they ask for.
    own = api(org.outsider).get("/api/v1/reports/purchases?from=2026-01-01&to=2026-12-31")
    assert own.json["unit"] == org.kindergarten.id and own.json["lines"] == 2
    other = api(org.outsider).get(
        f"/api/v1/reports/purchases?from=2026-01-01&to=2026-12-31&unit={org.school.id}")
    assert other.status_code == 403


def test_the_command_imports_a_file_and_prints_refusals_and_the_summary(
        org, runner, db, tmp_path):
    path = tmp_path / "innkjop.csv"
    path.write_text(f"{HEADER}\nL1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
                    "L2,PO-1,2026-03-01,NOSUCH,Kinnarps,Stol,,,2,9000\n", encoding="utf-8")
    result = runner.invoke(args=["import-purchases", str(path), "--source", "Visma"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "created 1, updated 0, unchanged 0, refused 1"
    assert lines[-2].startswith("linje 3 (L2): ") and "NOSUCH" in lines[-2]
    again = runner.invoke(args=["import-purchases", str(path), "--source", "Visma"])
    assert again.stdout.strip().splitlines()[-1] == \
        "created 0, updated 0, unchanged 1, refused 1"


def test_all_or_nothing_fails_the_command_and_writes_nothing(org, runner, db, tmp_path):
    path = tmp_path / "innkjop.csv"
    path.write_text(f"{HEADER}\nL1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
                    "L2,PO-1,2026-03-01,NOSUCH,Kinnarps,Stol,,,2,9000\n", encoding="utf-8")
    result = runner.invoke(args=["import-purchases", str(path), "--source", "Visma",
                                 "--all-or-nothing"])
    assert result.exit_code == 1
    assert result.stdout.strip().splitlines()[-1] == \
        "created 0, updated 0, unchanged 0, refused 1"
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 0


def test_an_unreadable_file_is_one_line_of_error(org, runner, tmp_path):
    path = tmp_path / "innkjop.csv"
    path.write_text("kode,navn\n1,2\n", encoding="utf-8")
    result = runner.invoke(args=["import-purchases", str(path), "--source", "Visma"])
    assert result.exit_code == 1
    assert "Første linje må navngi feltene" in result.output
    assert "Traceback" not in result.output
