"""Tests of the Ride Hailer service (authorization server + resource server)."""
