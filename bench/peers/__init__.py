"""Peer authorization servers for figure 8: what a company might run instead of ours.

Each is set up as a company would for Alexa (authorization code + refresh token grants,
rotation, HTTP Basic client authentication), loaded with the same users, clients, refresh
chains and codes as ours, served by the same gunicorn setup on the same database engine.
Written here for the benchmark; no peer's code is copied.
"""
