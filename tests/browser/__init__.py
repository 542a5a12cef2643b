"""Browser journeys: Chromium driving the real ASGI app."""
