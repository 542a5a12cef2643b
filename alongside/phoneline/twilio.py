"""The Twilio adapter: TwiML for the steps, Twilio's request signatures, and outbound calls and text messages
through its REST API.

Nothing is ever recorded: ``<Dial record="do-not-record">`` and ``record=False`` on every outbound call say so
explicitly rather than trusting the defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import Dial as TwimlDial
from twilio.twiml.voice_response import Gather, VoiceResponse

from alongside.phoneline.provider import MAX_CALLEES, Ask, Dial, Hangup, ProviderError, Say, Step

VOICE = "Polly.Olivia"
"""An Australian English voice; Twilio falls back to its default voice where Polly is not enabled."""
LANGUAGE = "en-AU"
REST_TIMEOUT_SECONDS = 10


class TwilioProvider:
    content_type = "application/xml"

    def __init__(self, *, account_sid: str, auth_token: str, api_url: str = "https://api.twilio.com") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_url = api_url

    # --- webhooks ---------------------------------------------------------------------------------------------

    def is_genuine(self, request: HttpRequest, *, url: str) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.auth_token:
            return False
        return bool(RequestValidator(self.auth_token).validate(url, request.POST, signature))

    def render(self, steps: Sequence[Step]) -> str:
        response = VoiceResponse()
        for step in steps:
            if isinstance(step, Say):
                response.say(step.text, voice=VOICE, language=LANGUAGE)
            elif isinstance(step, Ask):
                gather = Gather(num_digits=1, action=step.action, method="POST", timeout=step.timeout)
                gather.say(step.prompt, voice=VOICE, language=LANGUAGE)
                response.append(gather)
            elif isinstance(step, Dial):
                if not 1 <= len(step.callees) <= MAX_CALLEES:
                    raise ValueError(f"a Dial rings 1 to {MAX_CALLEES} numbers, not {len(step.callees)}")
                dial = TwimlDial(
                    action=step.action,
                    method="POST",
                    caller_id=step.caller_id,
                    timeout=step.timeout,
                    record="do-not-record",
                    answer_on_bridge=True,
                )
                for callee in step.callees:
                    if callee.screen:
                        dial.number(callee.number, url=callee.screen, method="POST")
                    else:
                        dial.number(callee.number)
                response.append(dial)
            elif isinstance(step, Hangup):
                response.hangup()
        return str(response)

    # --- outbound calls ---------------------------------------------------------------------------------------

    def client(self) -> Client:
        client = Client(self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS))
        client.api.base_url = self.api_url  # Twilio's own unless a stand-in is configured (TWILIO_API_URL)
        return client

    def place_call(self, *, to: str, from_: str, steps: Sequence[Step], status_callback: str) -> str:
        try:
            call = self.client().calls.create(
                to=to,
                from_=from_,
                twiml=self.render(steps),
                status_callback=status_callback,
                status_callback_method="POST",
                record=False,
                timeout=30,
            )
        except (TwilioException, OSError) as exc:
            raise _refused(exc) from None
        return str(call.sid)

    # --- text messages ----------------------------------------------------------------------------------------

    def send_sms(self, *, to: str, from_: str, body: str) -> str:
        """One text message through the Messages API (POST .../Messages.json)."""
        try:
            sent = self.client().messages.create(to=to, from_=from_, body=body)
        except (TwilioException, OSError) as exc:
            raise _refused(exc) from None
        return str(sent.sid)


def _refused(exc: Exception) -> ProviderError:
    # Twilio's error text can echo the numbers: keep only its status and code.
    status = getattr(exc, "status", "")
    code = getattr(exc, "code", "")
    return ProviderError(f"Twilio refused or could not be reached ({status} {code})".strip())
