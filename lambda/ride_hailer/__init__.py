"""The Ride Hailer Alexa skill: settings, API client, prompts, handlers and builder."""
