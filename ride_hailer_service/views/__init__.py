"""Blueprints: authorization server pages and endpoints, accounts, resource API."""
