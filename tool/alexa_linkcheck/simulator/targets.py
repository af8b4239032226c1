"""Skill targets: how a request envelope reaches the skill and its response comes back.

`LambdaTarget` calls `lambda_handler(event, context)` of a code folder in-process;
`WebServiceTarget` POSTs the JSON to a URL, optionally signed like Alexa signs.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

import requests

from .errors import TargetError

#: Header names of Alexa's request signature (Alexa docs, "Host a Custom Skill as a Web Service").
SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"
#: How long Alexa waits for a skill response, in seconds (ALEXA-FACTS.md).
ALEXA_TIMEOUT = 8.0


class SkillTarget(Protocol):
    """Anything that takes a request envelope and returns the skill's response envelope."""

    def invoke(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """Send one envelope, return the response envelope as a dict."""


class LambdaContext:
    """The small part of AWS Lambda's context object skills use."""

    def __init__(self, function_name: str = "ride-hailer-skill", timeout: float = ALEXA_TIMEOUT) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "simulator"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda would stop the call."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LambdaTarget:
    """Loads `<code>/lambda_function.py` by file path and calls its handler in-process."""

    def __init__(self, code_folder: Path, *, handler: str = "lambda_function.lambda_handler",
                 environ: Mapping[str, str] | None = None) -> None:
        self.code_folder = Path(code_folder).resolve()
        module_name, _, self.handler_name = handler.rpartition(".")
        if not module_name or not self.handler_name:
            raise TargetError(f"handler {handler!r} is not MODULE.FUNCTION (e.g. lambda_function.lambda_handler)")
        module_name = module_name.replace("/", ".")
        path = self.code_folder / f"{module_name.replace('.', '/')}.py"
        if not self.code_folder.is_dir():
            raise TargetError(f"Lambda code folder {self.code_folder} does not exist")
        if not path.exists():
            raise TargetError(f"no {path.relative_to(self.code_folder)} in {self.code_folder} (handler {handler})")
        for key, value in (environ or {}).items():
            os.environ[key] = value
        if str(self.code_folder) not in sys.path:
            sys.path.insert(0, str(self.code_folder))
        module = self._load(module_name, path)
        function = getattr(module, self.handler_name, None)
        if not callable(function):
            raise TargetError(f"{path} has no callable {self.handler_name}")
        self._handler: Callable[[dict[str, Any], LambdaContext], Any] = function

    @staticmethod
    def _load(module_name: str, path: Path) -> Any:
        """Import the handler's module: a top-level file under a private name (several skills can
        share one process); a module inside a package by its dotted name, as Lambda does, so the
        package's relative imports work."""
        try:
            if "." in module_name:
                return importlib.import_module(module_name)
            unique = f"_linkcheck_skill_{abs(hash(str(path)))}_{module_name}"
            spec = importlib.util.spec_from_file_location(unique, path)
            if spec is None or spec.loader is None:
                raise TargetError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[unique] = module  # the documented recipe; dataclasses and pickling need it
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[unique]
                raise
            return module
        except TargetError:
            raise
        except Exception as error:  # the skill's own import failure, reported once
            raise TargetError(f"importing {path} failed: {error!r}") from error

    def invoke(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """Call the handler with a JSON round-trip copy of the envelope, as Lambda would."""
        event = json.loads(json.dumps(envelope))
        try:
            result = self._handler(event, LambdaContext())
        except Exception as error:  # Lambda reports an unhandled error to Alexa
            raise TargetError(f"lambda_handler raised {error!r}") from error
        try:
            return dict(json.loads(json.dumps(result)))
        except (TypeError, ValueError) as error:
            raise TargetError(f"lambda_handler returned something that is not JSON: {error}") from error


class RequestSigner:
    """Signs request bodies like Alexa: RSA PKCS#1 v1.5 over SHA-256, plus the cert URL."""

    def __init__(self, private_key_pem: bytes, cert_url: str) -> None:
        from cryptography.hazmat.primitives import serialization

        self._key = serialization.load_pem_private_key(private_key_pem, password=None)
        self.cert_url = cert_url

    def headers(self, body: bytes) -> dict[str, str]:
        """The signature headers for this exact body."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        signature = self._key.sign(body, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg, arg-type]
        return {SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"), CERT_URL_HEADER: self.cert_url}


class WebServiceTarget:
    """POSTs envelopes to a skill hosted as a web service."""

    def __init__(self, url: str, *, signer: RequestSigner | None = None, timeout: float = ALEXA_TIMEOUT,
                 http: requests.Session | None = None) -> None:
        self.url = url
        self.signer = signer
        self.timeout = timeout
        self._http = http or requests.Session()

    def invoke(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """POST the raw JSON body (signed when a signer is set) and parse the answer."""
        body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Apache-HttpClient/UNAVAILABLE (Java/1.8.0_112)"}
        if self.signer is not None:
            headers.update(self.signer.headers(body))
        try:
            response = self._http.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.ConnectionError as error:
            parts = urllib.parse.urlsplit(self.url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            raise TargetError(f"cannot connect to {parts.hostname}:{port}: is the skill running? "
                              f"(skill endpoint {self.url} unreachable)") from error
        except requests.RequestException as error:
            raise TargetError(f"skill endpoint {self.url} unreachable: {error.__class__.__name__}") from error
        if response.status_code != 200:
            raise TargetError(f"skill endpoint answered HTTP {response.status_code}: {response.text[:200]}")
        try:
            return dict(response.json())
        except ValueError as error:
            raise TargetError("skill endpoint answered with something that is not JSON") from error
