"""The listing cache serves a listing only to the client that read it."""

from __future__ import annotations

from pulumi_personalize._api import ListingCache


class Client:
    """Any api object the services' layers or the engine list through."""


def test_a_listing_is_never_served_to_a_new_client_that_was_given_a_freed_clients_id() -> None:
    # The twin check's listings are keyed by the engine's client, and a provider made anew makes a new
    # one: the freed client's id() went to the next, which read the listing from before its own create.
    cache = ListingCache(ttl=30.0)
    reused = 0
    for _ in range(50):
        old = Client()
        assert cache.get(old, "/v2/connections", lambda: [{"ref": "old"}]) == [{"ref": "old"}]
        old_id = id(old)
        del old
        new = Client()
        reused += id(new) == old_id
        assert cache.get(new, "/v2/connections", lambda: [{"ref": "new"}]) == [{"ref": "new"}]
        assert cache.get(new, "/v2/connections", lambda: [{"ref": "again"}]) == [{"ref": "new"}]  # still cached
        del new
    assert reused  # the interpreter did give a freed client's id() to a new one: the case under test happened
