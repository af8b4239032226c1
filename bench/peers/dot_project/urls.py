"""The token endpoint at /oauth/token (as ours), and /ready for the benchmark's start check."""
from django.http import JsonResponse
from django.urls import path
from oauth2_provider.views import TokenView

urlpatterns = [
    path("oauth/token", TokenView.as_view()),
    path("ready", lambda request: JsonResponse({"ok": True})),
]
