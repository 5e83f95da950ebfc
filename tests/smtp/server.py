"""A real SMTP server on 127.0.0.1 for renkei's delivery tests, built on aiosmtpd (PyPI).

The recipient's local part says how the server treats that message, so one server serves
a whole test: `<behaviour>` or `<behaviour>x<n>` (misbehave n times for that recipient,
then accept; without n, always misbehave).

  ok           accept
  rcpt421      reply 421 to RCPT and hang up
  data451      reply 451 after the body (a definite "not now")
  rcpt550      reply 550 to RCPT (a definite "never")
  hangup       hang up after the body, without a reply
  stallrcpt    say nothing at RCPT for --stall seconds, then go on
  stalldata    keep the message, then say nothing for --stall seconds before replying 250
  blockrcpt    say nothing at RCPT until the client goes away (for kill -9 tests)
  blockdata    say nothing after the body until the client goes away; the message is not kept

Prints `PORT <n>` once listening. Appends one JSON line per event to --log:
  {"event": "accepted", "rcpt": ..., "message_id": ..., "subject": ..., "body": ...}
  {"event": "blocked", "rcpt": ..., "stage": "rcpt" | "data"}
With --tls-cert/--tls-key it offers STARTTLS and requires it before MAIL; with
--implicit-tls as well, it speaks TLS from the first byte instead (port 465 style).
"""

import argparse
import asyncio
import email
import email.policy
import json
import re
import ssl
import sys

from aiosmtpd.smtp import SMTP

BEHAVIOUR = re.compile(r"^(?P<name>[a-z0-9]+?)(?:x(?P<times>\d+))?$")
# The stage of the conversation at which each behaviour acts.
STAGE = {
    "rcpt421": "rcpt",
    "rcpt550": "rcpt",
    "stallrcpt": "rcpt",
    "blockrcpt": "rcpt",
    "data451": "data",
    "hangup": "data",
    "stalldata": "data",
    "blockdata": "data",
}


class Handler:
    def __init__(self, log_path, stall):
        self.log_path = log_path
        self.stall = stall
        self.used = {}

    def log(self, **event):
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event, ensure_ascii=False) + "\n")

    def behaviour(self, address, stage):
        """The behaviour for `address` at `stage`, counting its uses."""
        m = BEHAVIOUR.match(address.split("@")[0].lower())
        name, times = (m.group("name"), m.group("times")) if m else ("ok", None)
        if STAGE.get(name) != stage:
            return "ok"
        key = (address.lower(), name)
        self.used[key] = self.used.get(key, 0) + 1
        if times is not None and self.used[key] > int(times):
            return "ok"
        return name

    async def until_gone(self, server):
        while not server.transport.is_closing() and not server._reader.at_eof():
            await asyncio.sleep(0.02)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        b = self.behaviour(address, "rcpt")
        if b == "rcpt421":
            await server.push("421 4.3.2 Service not available, closing transmission channel")
            server.transport.close()  # flushes the reply first
            return "421 4.3.2 closed"
        if b == "rcpt550":
            return "550 5.1.1 No such user here"
        if b == "stallrcpt":
            await asyncio.sleep(self.stall)
        if b == "blockrcpt":
            self.log(event="blocked", rcpt=address, stage="rcpt")
            await self.until_gone(server)
            return "451 4.3.0 gone"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        b = self.behaviour(rcpt, "data")
        if b == "data451":
            return "451 4.3.0 Try again later"
        if b == "hangup":
            server.transport.close()
            return "250 never seen"
        if b == "blockdata":
            self.log(event="blocked", rcpt=rcpt, stage="data")
            await self.until_gone(server)
            return "451 4.3.0 gone"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        # Kept from here on, as a real server commits a message to its queue before replying.
        self.log(
            event="accepted",
            rcpt=rcpt,
            mail_from=envelope.mail_from,
            message_id=str(msg["Message-ID"]),
            subject=str(msg["Subject"]),
            body=body.get_content() if body is not None else "",
        )
        if b == "stalldata":
            await asyncio.sleep(self.stall)  # the reply is lost when the client gives up first
        return "250 2.0.0 OK queued"


async def serve(a):
    handler = Handler(a.log, a.stall)
    kwargs, wrap = {}, None
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.implicit_tls:
            wrap = ctx
        else:
            kwargs = {"tls_context": ctx, "require_starttls": True}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", **kwargs), "127.0.0.1", 0, ssl=wrap
    )
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    # Runs until the test closes our stdin (or the test process ends).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--log", required=True)
    p.add_argument("--stall", type=float, default=3.0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--implicit-tls", action="store_true")
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
