"""A real SMTP server for the test suite: stores every message it accepts as a file.

Usage: python3 smtp_sink.py PORT DIR [--starttls CERT KEY] [--auth USER PASSWORD] [--delay SECONDS]
Each accepted message becomes DIR/<n>.eml (written atomically); the envelope sender is kept in
DIR/<n>.from. With --starttls the server offers STARTTLS with the given certificate and requires
it; with --auth it requires authentication (PLAIN or LOGIN, after TLS when TLS is on); with
--delay it waits that long before accepting each message (a slow but working server).
Prints "ready" once listening.
"""
import asyncio
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, delay=0.0):
        self.directory = directory
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.count += 1
        name = os.path.join(self.directory, f"{os.getpid()}-{self.count:06d}")
        with open(name + ".from", "w") as f:
            f.write(envelope.mail_from or "")
        tmp = name + ".eml.tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.content)
        os.replace(tmp, name + ".eml")
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    args = sys.argv[3:]
    kwargs = {}
    delay = 0.0
    while args:
        flag = args.pop(0)
        if flag == "--starttls":
            cert, key = args.pop(0), args.pop(0)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs.update(tls_context=context, require_starttls=True)
        elif flag == "--auth":
            user, password = args.pop(0), args.pop(0)
            kwargs.update(authenticator=Authenticator(user, password), auth_required=True)
            if "tls_context" not in kwargs:
                kwargs.update(auth_require_tls=False)
        elif flag == "--delay":
            delay = float(args.pop(0))
        else:
            raise SystemExit(f"unknown flag {flag}")
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory, delay), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
