"""Message composers (正文生成): write a message's whole text from the object it is about.

A message that carries a secret (a tracking code, a rating key) is stored with "••••" in
its place; the task worker, which sends it later, gets the whole text again from a
composer the sending app registered, given the `related` object (e.g. the opinion: its
tracking code is on its row, the rating key is an HMAC of the code). So neither the
message row nor the task queue ever holds the secret.

    @message_composer("opinions.received")
    def received(opinion) -> Composed:
        return Composed(subject=..., body=..., secrets=(code, key))

    message_send(channel="sms", to=phone, related=opinion, composer="opinions.received")

A composer is called in the request (for the stored, redacted copy) and in the worker
(for the text that goes out), in the language of the request: it must write the same
text both times.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    # The parts of subject and body meant for the recipient alone.
    secrets: tuple[str, ...] = ()


_COMPOSERS: dict[str, Callable[[object], Composed]] = {}


def message_composer(name: str):
    def register(function: Callable[[object], Composed]):
        _COMPOSERS[name] = function
        return function

    return register


def composer(name: str) -> Callable[[object], Composed]:
    """The registered composer `name`; KeyError when no app registered it."""
    return _COMPOSERS[name]
