"""The RFC 9068 JWT access token client: local checks against a JWKS served on 127.0.0.1."""
from __future__ import annotations

import time

import jwt
import pytest

from account_linking import Deadline, LinkRejected, ResourceUnavailable
from account_linking.discovery import OAUTH_AUTHORIZATION_SERVER
from account_linking.jwt_access import JwtAccessTokenClient

from .conftest import TIMEOUT, SigningKey, access_claims, publish_discovery
from .provider_server import Reply

AUDIENCE = "https://api.example.com"


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer(provider, signing_key):
    """The provider publishes discovery and a JWKS with ``signing_key``."""
    publish_discovery(provider)
    provider.answer("/jwks", Reply(200, {"keys": [signing_key.jwk]}))
    return provider.url


def make_client(session, issuer, **kwargs):
    kwargs.setdefault("audience", AUDIENCE)
    return JwtAccessTokenClient(session, issuer, TIMEOUT, **kwargs)


def test_a_valid_access_token_gives_its_owner_and_scopes(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer, name="Ada", email="ada@example.com"))
    profile = make_client(session, issuer).fetch_profile(token)
    assert (profile.user_id, profile.name, profile.email, profile.provider) == ("user-1", "Ada", "ada@example.com", "jwt")
    assert profile.scopes == frozenset({"profile", "rides:read"}) and not profile.has_scope("rides:write")


def test_scopes_come_from_an_scp_list_when_there_is_no_scope_claim(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer, scope=None, scp=["profile", "rides:write"]))
    assert make_client(session, issuer).fetch_profile(token).scopes == frozenset({"profile", "rides:write"})


def test_the_jwks_is_fetched_once_then_every_token_is_checked_without_a_network_call(provider, session, issuer, signing_key):
    client = make_client(session, issuer)
    for n in range(5):
        client.fetch_profile(signing_key.sign(access_claims(issuer, sub=f"user-{n}")))
    assert provider.calls("/jwks") == 1 and provider.calls("/.well-known/openid-configuration") == 1
    assert len(provider.seen) == 2


def test_an_expired_token_is_rejected(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer, exp=int(time.time()) - 120))
    with pytest.raises(LinkRejected, match="expired"):
        make_client(session, issuer).fetch_profile(token)


def test_a_token_signed_by_another_key_under_a_published_kid_is_never_trusted(session, issuer, other_key):
    forged = SigningKey("key-1")  # same kid, different private key
    with pytest.raises(LinkRejected):
        make_client(session, issuer).fetch_profile(forged.sign(access_claims(issuer)))


def test_a_tampered_token_is_never_trusted(session, issuer, signing_key):
    header, payload, signature = signing_key.sign(access_claims(issuer)).split(".")
    other_payload = signing_key.sign(access_claims(issuer, sub="admin")).split(".")[1]
    with pytest.raises(LinkRejected):
        make_client(session, issuer).fetch_profile(f"{header}.{other_payload}.{signature}")


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example.com"},
        {"aud": "https://other-api.example.com"},
        {"nbf": int(time.time()) + 600},
        {"sub": None},
        {"exp": None},
    ],
    ids=["wrong-issuer", "wrong-audience", "not-yet-valid", "no-sub", "no-exp"],
)
def test_a_token_failing_a_claim_check_is_never_trusted(session, issuer, signing_key, claims):
    token = signing_key.sign(access_claims(issuer, **claims))
    with pytest.raises(LinkRejected):
        make_client(session, issuer).fetch_profile(token)


def test_a_plain_jwt_is_refused_unless_the_setting_accepts_it(session, issuer, signing_key):
    for typ in ("JWT", None):
        token = signing_key.sign(access_claims(issuer), typ=typ)
        with pytest.raises(LinkRejected, match="typ"):
            make_client(session, issuer).fetch_profile(token)
        assert make_client(session, issuer, accept_plain_jwt=True).fetch_profile(token).user_id == "user-1"


def test_an_id_token_type_is_never_an_access_token_even_with_plain_jwts_accepted(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer), typ="dpop+jwt")
    with pytest.raises(LinkRejected):
        make_client(session, issuer, accept_plain_jwt=True).fetch_profile(token)


def test_unsigned_and_shared_secret_tokens_are_never_trusted(session, issuer):
    unsigned = jwt.encode(access_claims(issuer), None, algorithm="none", headers={"typ": "at+jwt", "kid": "key-1"})
    hmac = jwt.encode(access_claims(issuer), "x" * 32, algorithm="HS256", headers={"typ": "at+jwt", "kid": "key-1"})
    for token in (unsigned, hmac, "not-a-jwt", "a.b.c"):
        with pytest.raises(LinkRejected):
            make_client(session, issuer).fetch_profile(token)


def test_a_token_for_another_client_is_rejected_when_checked_by_client_id(session, issuer, signing_key):
    client = make_client(session, issuer, audience=None, client_id="alexa-skill")
    assert client.fetch_profile(signing_key.sign(access_claims(issuer, aud=None))).user_id == "user-1"
    with pytest.raises(LinkRejected, match="another client"):
        client.fetch_profile(signing_key.sign(access_claims(issuer, aud=None, client_id="someone-else")))


def test_a_client_without_audience_or_client_id_is_refused_when_configuring(session):
    with pytest.raises(ValueError, match="audience"):
        JwtAccessTokenClient(session, "https://login.example.com", 1.0)


def test_a_new_key_is_picked_up_by_refetching_the_jwks_on_its_unknown_kid(provider, session, issuer, signing_key, other_key):
    clock = Clock()
    client = make_client(session, issuer, clock=clock)
    client.fetch_profile(signing_key.sign(access_claims(issuer)))
    provider.answer("/jwks", Reply(200, {"keys": [signing_key.jwk, other_key.jwk]}))  # rotation
    clock.now += 61
    assert client.fetch_profile(other_key.sign(access_claims(issuer))).user_id == "user-1"
    assert client.fetch_profile(signing_key.sign(access_claims(issuer))).user_id == "user-1"
    assert provider.calls("/jwks") == 2


def test_unknown_kids_refetch_the_jwks_at_most_once_per_interval(provider, session, issuer, signing_key, other_key):
    clock = Clock()
    client = make_client(session, issuer, jwks_refetch_interval=60, clock=clock)
    client.fetch_profile(signing_key.sign(access_claims(issuer)))
    clock.now += 61
    for kid in ("k-a", "k-b", "k-c", "k-d"):  # a flood of made-up kids
        with pytest.raises(LinkRejected, match="key"):
            client.fetch_profile(other_key.sign(access_claims(issuer), kid=kid))
    assert provider.calls("/jwks") == 2
    provider.answer("/jwks", Reply(200, {"keys": [signing_key.jwk, other_key.jwk]}))
    with pytest.raises(LinkRejected):  # published now, but the interval has not passed
        client.fetch_profile(other_key.sign(access_claims(issuer)))
    clock.now += 61
    assert client.fetch_profile(other_key.sign(access_claims(issuer))).user_id == "user-1"
    assert provider.calls("/jwks") == 3


def test_keys_are_fetched_again_after_their_max_age(provider, session, issuer, signing_key):
    clock = Clock()
    client = make_client(session, issuer, jwks_max_age=3600, clock=clock)
    client.fetch_profile(signing_key.sign(access_claims(issuer)))
    clock.now += 3601
    provider.answer("/jwks", Reply(200, {"keys": []}))  # the key was withdrawn
    with pytest.raises(LinkRejected):
        client.fetch_profile(signing_key.sign(access_claims(issuer)))
    assert provider.calls("/jwks") == 2


@pytest.mark.parametrize(
    "jwks",
    [Reply(503, b"down"), Reply(200, b"{not json"), Reply(200, {"no": "keys"})],
    ids=["down", "malformed", "no-keys-member"],
)
def test_an_unusable_jwks_is_an_apology_not_a_relink(provider, session, issuer, signing_key, jwks):
    provider.answer("/jwks", jwks)
    with pytest.raises(ResourceUnavailable):
        make_client(session, issuer).fetch_profile(signing_key.sign(access_claims(issuer)))


def test_discovery_down_is_an_apology_not_a_relink(provider, session, signing_key):
    provider.answer("/.well-known/openid-configuration", Reply(500, {"error": "server_error"}))
    with pytest.raises(ResourceUnavailable):
        make_client(session, provider.url).fetch_profile(signing_key.sign(access_claims(provider.url)))


def test_a_slow_jwks_is_given_up_within_the_request_budget(provider, session, issuer, signing_key):
    provider.stall("/jwks")
    client = JwtAccessTokenClient(session, issuer, 5.0, audience=AUDIENCE)
    with pytest.raises(ResourceUnavailable):
        client.fetch_profile(signing_key.sign(access_claims(issuer)), Deadline(0.3))
    assert not provider.release.is_set()


def test_a_configured_jwks_url_needs_no_discovery(provider, session, signing_key):
    provider.answer("/keys.json", Reply(200, {"keys": [signing_key.jwk]}))
    client = make_client(session, provider.url, jwks_url=provider.url + "/keys.json")
    assert client.fetch_profile(signing_key.sign(access_claims(provider.url))).user_id == "user-1"
    assert provider.calls("/.well-known/openid-configuration") == 0


def test_the_jwks_of_an_rfc8414_only_issuer_is_found_in_its_metadata(provider, session, signing_key):
    provider.answer("/.well-known/oauth-authorization-server",
                    Reply(200, {"issuer": provider.url, "jwks_uri": provider.url + "/jwks"}))
    provider.answer("/jwks", Reply(200, {"keys": [signing_key.jwk]}))
    client = make_client(session, provider.url, well_known=OAUTH_AUTHORIZATION_SERVER)
    assert client.fetch_profile(signing_key.sign(access_claims(provider.url))).user_id == "user-1"


def test_an_ec_key_is_used_like_an_rsa_key(provider, session):
    ec_key = SigningKey("ec-1", "ES256")
    provider.answer("/keys", Reply(200, {"keys": [ec_key.jwk]}))
    client = make_client(session, provider.url, jwks_url=provider.url + "/keys")
    assert client.fetch_profile(ec_key.sign(access_claims(provider.url))).user_id == "user-1"


def test_a_token_whose_algorithm_differs_from_its_keys_published_one_is_never_trusted(provider, session, signing_key):
    ps_token = jwt.encode(access_claims(provider.url), signing_key.private, algorithm="PS256",
                          headers={"kid": "key-1", "typ": "at+jwt"})
    provider.answer("/keys", Reply(200, {"keys": [signing_key.jwk]}))  # published for RS256
    with pytest.raises(LinkRejected):
        make_client(session, provider.url, jwks_url=provider.url + "/keys").fetch_profile(ps_token)


def test_an_audience_list_naming_the_api_is_accepted(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer, aud=["https://other.example.com", AUDIENCE]))
    assert make_client(session, issuer).fetch_profile(token).user_id == "user-1"


@pytest.mark.parametrize(
    "claims",
    [{"exp": "tomorrow"}, {"nbf": "now"}, {"exp": True}],
    ids=["exp-string", "nbf-string", "exp-bool"],
)
def test_time_claims_that_are_not_numbers_are_never_trusted(session, issuer, signing_key, claims):
    with pytest.raises(LinkRejected):
        make_client(session, issuer).fetch_profile(signing_key.sign(access_claims(issuer, **claims)))


def test_a_second_spelling_of_a_signed_token_is_not_accepted(session, issuer, signing_key):
    token = signing_key.sign(access_claims(issuer))
    header, payload, signature = token.split(".")
    for variant in (f"{header}.{payload}.{signature}=", f" {token}", f"{header}.{payload}+.{signature}", token + ".x"):
        with pytest.raises(LinkRejected):
            make_client(session, issuer).fetch_profile(variant)


def test_a_token_with_critical_header_extensions_is_never_trusted(session, issuer, signing_key):
    token = jwt.encode(access_claims(issuer), signing_key.private, algorithm="RS256",
                       headers={"kid": "key-1", "typ": "at+jwt", "crit": ["exp"]})
    with pytest.raises(LinkRejected, match="critical"):
        make_client(session, issuer).fetch_profile(token)


def test_an_oversized_token_is_refused_before_any_parsing(session, issuer):
    with pytest.raises(LinkRejected):
        make_client(session, issuer).fetch_profile("a" * 20000 + ".b.c")


def test_a_token_naming_an_algorithm_of_another_key_type_is_never_trusted(provider, session, signing_key):
    unpinned = {name: value for name, value in signing_key.jwk.items() if name != "alg"}  # RSA key, no alg
    provider.answer("/keys", Reply(200, {"keys": [unpinned]}))
    header = jwt.utils.base64url_encode(b'{"alg":"ES256","typ":"at+jwt","kid":"key-1"}').decode()
    _, payload, _ = signing_key.sign(access_claims(provider.url)).split(".")
    signature = jwt.utils.base64url_encode(b"\x01" * 64).decode()
    client = make_client(session, provider.url, jwks_url=provider.url + "/keys")
    with pytest.raises(LinkRejected, match="signature"):
        client.fetch_profile(f"{header}.{payload}.{signature}")
