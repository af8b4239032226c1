"""linkcheck: plays Alexa to find account-linking defects before Alexa does.

``alexa-linkcheck project [PATH]`` checks the files of an ASK CLI v2 project;
``alexa-linkcheck server ...`` probes an OAuth 2.0 authorization server the way Alexa calls it;
``alexa-linkcheck simulate ...`` plays the Alexa app, the Alexa service and a device against a skill.
"""
from __future__ import annotations

from alexa_linkcheck.errors import LinkcheckError, UsageError
from alexa_linkcheck.report import CheckResult, Finding

__all__ = ["CheckResult", "Finding", "LinkcheckError", "UsageError"]
