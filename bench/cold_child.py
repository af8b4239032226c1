"""Child process of figure 3: a fresh interpreter answers one envelope, then exits.

Run as ``python -I -S cold_child.py VARIANT LAMBDA_DIR SITE_PACKAGES`` with the envelope on
stdin; prints the speech. ``-S`` plus the site-packages folder on sys.path is what a Lambda
deployment package looks like (no editable-install finders of the development venv). Variants: ``linked`` imports lambda_function (the real skill, cache miss, real
HTTP); ``example`` imports examples/hello_world's lambda_function (an outside-style skill on
the library, Login with Amazon profile from the same server, cache miss); ``bare`` is a bare ASK SDK skill answering without HTTP; ``bare_requests`` and
``bare_urllib3`` and ``bare_httpclient`` (the standard library's http.client) are the bare
skill plus one GET /api/v1/me with that HTTP client.
Only the standard library and the variant's own imports are loaded.
"""
import json
import os
import sys

variant, lambda_dir = sys.argv[1], sys.argv[2]
sys.path.append(sys.argv[3])
event = json.loads(sys.stdin.read())

if variant == "example":
    # examples/hello_world: an outside-style skill on the library (as `pip install -t` lays it out)
    root = os.path.dirname(os.path.abspath(lambda_dir))
    sys.path.insert(0, os.path.join(root, "examples", "hello_world", "lambda"))
    sys.path.insert(1, os.path.join(root, "library"))
    event["request"]["intent"]["name"] = "WhoAmIIntent"
    import lambda_function

    answer = lambda_function.lambda_handler(event, None)
elif variant == "linked":
    sys.path.insert(0, lambda_dir)
    # The linking library, as `pip install -t` would put it beside the skill.
    sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(lambda_dir)), "library"))
    import lambda_function

    answer = lambda_function.lambda_handler(event, None)
else:
    from ask_sdk_core.skill_builder import CustomSkillBuilder
    from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
    from ask_sdk_core.utils.predicate import is_intent_name

    fetch = None
    url = os.environ["RIDE_HAILER_API_URL"] + "/api/v1/me"
    if variant == "bare_requests":
        import requests

        session = requests.Session()

        def fetch(token):
            return session.get(url, headers={"Authorization": "Bearer " + token}, timeout=3).json()

    elif variant == "bare_urllib3":
        import urllib3

        pool = urllib3.PoolManager()

        def fetch(token):
            return json.loads(pool.request("GET", url, headers={"Authorization": "Bearer " + token}, timeout=3).data)

    elif variant == "bare_httpclient":
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3)

        def fetch(token):
            connection.request("GET", parts.path, headers={"Authorization": "Bearer " + token})
            return json.loads(connection.getresponse().read())

    class AccountInfoIntentHandler(AbstractRequestHandler):
        def can_handle(self, handler_input):
            return is_intent_name("AccountInfoIntent")(handler_input)

        def handle(self, handler_input):
            profile = {"name": "Ada", "email": "ada@example.com"}
            if fetch is not None:
                profile = fetch(handler_input.request_envelope.context.system.user.access_token)
            speech = "Your skill is linked to the Ride Hailer account of {name}, {email}.".format(**profile)
            return handler_input.response_builder.speak(speech).set_should_end_session(True).response

    builder = CustomSkillBuilder()
    builder.add_request_handler(AccountInfoIntentHandler())
    answer = builder.lambda_handler()(event, None)

print(answer["response"]["outputSpeech"]["ssml"])
