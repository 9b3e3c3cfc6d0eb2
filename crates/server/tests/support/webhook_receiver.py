"""A real webhook receiver for the tests: an HTTP server process that checks every delivery's
signature with the Standard Webhooks reference library (`standardwebhooks` from PyPI) and
records it.

    python3 webhook_receiver.py        # prints the port it listens on, then serves

POST /hook/<name>  a delivery: verified against the secrets set for <name> (any may match),
                   recorded, answered as <name>'s behaviour says (default 200 "ok").
POST /control      {"name": ..., "secrets": [...], "fail": N, "status": 500, "hang_secs": S}:
                   <name>'s secrets; its first N deliveries answer `status`; each waits S seconds.
GET  /received     every delivery so far: [{name, id, timestamp, type, verified, body, answered}].
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOCK = threading.Lock()
RECEIVED = []
BEHAVIOUR = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length)

    def _answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/received":
            with LOCK:
                self._answer(200, json.dumps(RECEIVED))
        else:
            self._answer(404, "{}")

    def do_POST(self):
        body = self._body()
        if self.path == "/control":
            spec = json.loads(body)
            with LOCK:
                BEHAVIOUR[spec["name"]] = spec
            return self._answer(200, "{}")
        if not self.path.startswith("/hook/"):
            return self._answer(404, "{}")
        name = self.path[len("/hook/"):]
        with LOCK:
            spec = dict(BEHAVIOUR.get(name, {}))
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified = False
        for secret in spec.get("secrets", []):
            try:
                Webhook(secret).verify(body, headers)
                verified = True
                break
            except Exception:
                pass
        with LOCK:
            seen = sum(1 for r in RECEIVED if r["name"] == name)
            failing = seen < spec.get("fail", 0)
            status = spec.get("status", 500) if failing else 200
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            RECEIVED.append({
                "name": name,
                "id": headers.get("webhook-id"),
                "timestamp": headers.get("webhook-timestamp"),
                "signature": headers.get("webhook-signature"),
                "type": (parsed or {}).get("type"),
                "verified": verified,
                "body": parsed,
                "answered": status,
            })
        if spec.get("hang_secs"):
            time.sleep(spec["hang_secs"])
        self._answer(status, json.dumps({"received": True, "status": status}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
