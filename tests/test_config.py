"""Configuration from the environment."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reuse.config import DEFAULTS, ConfigError, load_config
from tests.conftest import settings_for_tests


@pytest.fixture(autouse=True)
def base_url(monkeypatch):
    """Production needs BASE_URL (tests/test_hosts.py); these tests are about the rest."""
    monkeypatch.setenv("BASE_URL", "https://gjenbruk.bergen.kommune.no")


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("REUSE_ENV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)


def test_development_generates_a_key_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("REUSE_ENV", "development")
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("REUSE_ENV", raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_default_database_is_a_sqlite_file_in_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/reuse.db"


def test_photos_are_kept_in_the_instance_folder_unless_told_otherwise(tmp_path, monkeypatch):
    """An installed package has no project folder: photos live beside the database."""
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("UPLOAD_DIR", raising=False)
    assert load_config(tmp_path)["UPLOAD_DIR"] == str(tmp_path / "uploads")
    monkeypatch.setenv("UPLOAD_DIR", "/srv/shared/photos")
    assert load_config(tmp_path)["UPLOAD_DIR"] == "/srv/shared/photos"


def test_postgres_urls_get_the_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://reuse@db.internal/reuse")
    assert (load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"]
            == "postgresql+psycopg://reuse@db.internal/reuse")


def test_a_number_setting_that_is_not_a_number_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PHOTOS_PER_ITEM", "many")
    with pytest.raises(ConfigError, match="PHOTOS_PER_ITEM must be a whole number"):
        load_config(tmp_path)


def test_the_provisioning_id_claim_is_oid_unless_set_and_empty_turns_it_off(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("OIDC_PROVISIONING_ID_CLAIM", raising=False)
    assert load_config(tmp_path)["OIDC_PROVISIONING_ID_CLAIM"] == "oid"
    monkeypatch.setenv("OIDC_PROVISIONING_ID_CLAIM", " employee_id ")
    assert load_config(tmp_path)["OIDC_PROVISIONING_ID_CLAIM"] == "employee_id"
    monkeypatch.setenv("OIDC_PROVISIONING_ID_CLAIM", "")
    assert load_config(tmp_path)["OIDC_PROVISIONING_ID_CLAIM"] == ""


def test_unknown_environment_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("REUSE_ENV", "staging")
    with pytest.raises(ConfigError, match="REUSE_ENV"):
        load_config(tmp_path)


def test_open_claims_per_person_defaults_to_ten_and_must_allow_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("OPEN_CLAIMS_PER_PERSON", raising=False)
    assert load_config(tmp_path)["OPEN_CLAIMS_PER_PERSON"] == 10
    monkeypatch.setenv("OPEN_CLAIMS_PER_PERSON", "0")
    with pytest.raises(ConfigError, match="OPEN_CLAIMS_PER_PERSON must be at least 1"):
        load_config(tmp_path)


# -- each default stated once, in reuse/config.py ----------------------------------------------

def test_without_the_environment_every_setting_is_its_default(tmp_path, monkeypatch):
    for name in [*DEFAULTS, "SESSION_LIFETIME_SECONDS"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = load_config(tmp_path)
    assert {name: config[name] for name in DEFAULTS} == DEFAULTS


def test_the_app_for_tests_has_every_setting_production_has(app, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert set(load_config(tmp_path)) - set(app.config) == set()


def test_the_test_settings_restate_no_default(tmp_path):
    smtp = SimpleNamespace(hostname="127.0.0.1", port=2525)
    restated = {name for name, value in settings_for_tests("sqlite://", tmp_path, smtp).items()
                if name in DEFAULTS and DEFAULTS[name] == value}
    assert restated == set()
