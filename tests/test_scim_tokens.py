"""Provisioning tokens: shown once, stored hashed, revocable, and never an API token."""

from reuse.services import scim_tokens, tokens


def test_a_provisioning_token_works_until_revoked(db, people):
    token, plain = scim_tokens.create_token(people.admin, "Entra ID")
    db.session.commit()
    assert plain.startswith("reuse_scim_") and plain not in token.token_hash
    assert scim_tokens.authenticate(plain) == token
    assert token.last_used_at is not None
    scim_tokens.revoke_token(token.id, people.admin)
    db.session.commit()
    assert scim_tokens.authenticate(plain) is None


def test_provisioning_and_api_tokens_open_only_their_own_door(db, people):
    _, scim_plain = scim_tokens.create_token(people.admin)
    _, api_plain = tokens.create_token(people.admin)
    db.session.commit()
    assert tokens.user_for_token(scim_plain) is None
    assert scim_tokens.authenticate(api_plain) is None
