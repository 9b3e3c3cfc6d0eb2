"""A real SMTP server for the test suite: stores every message it accepts as a file.

Usage: python3 smtp_sink.py PORT DIR
Each accepted message becomes DIR/<n>.eml (written atomically). Prints "ready" once listening.
"""
import asyncio
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.directory, f"{os.getpid()}-{self.count:06d}.eml")
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.content)
        os.replace(tmp, name)
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
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
