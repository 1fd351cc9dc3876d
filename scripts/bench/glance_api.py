#!/usr/bin/python3
"""Small Glance v2 / Keystone v3 client for the benchmarks in scripts/bench (standard library only).

Usage: glance_api.py COMMAND ARGS...   (prints results on stdout; errors on stderr with exit status 1)
  token KEYSTONE_URL USER PROJECT          project-scoped token (password from $FERRY_LAB_PASSWORD, domain Default)
  create BASE TOKEN NAME                   new raw/bare image; prints its id
  show BASE TOKEN ID FIELD...              one line per field (empty when absent)
  delete BASE TOKEN ID                     deletes the image (a missing image is not an error)
  import-wait BASE TOKEN ID METHOD_JSON TIMEOUT
                                           POST /v2/images/ID/import with {"method": METHOD_JSON} and poll
                                           GET /v2/images/ID every 0.1 s (fixed rate) until it is active; prints the seconds from
                                           just before the import call to the answer that says active
  wait-active BASE TOKEN ID TIMEOUT        poll until active (after an upload), prints the seconds

The import call, and every poll, go over one persistent HTTP connection (a new one when the server closes it), so
the figures hold the server's time and not the client's start-up. An import that fails (the image goes back to
queued with os_glance_failed_import set, or is killed or deleted) or times out exits 1 and prints the image's
tasks' messages.
"""
import http.client
import json
import os
import sys
import time
import urllib.parse

POLL_SECONDS = 0.1


class Api:
    def __init__(self, base, token=None):
        u = urllib.parse.urlsplit(base.rstrip("/"))
        if u.scheme != "http":
            raise SystemExit("glance_api.py: only http:// URLs are supported, not %r" % base)
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path
        self.token = token
        self.conn = None

    def request(self, method, path, body=None, headers=None, ok=(200, 201, 202, 204)):
        hdrs = {"Accept": "application/json"}
        if self.token:
            hdrs["X-Auth-Token"] = self.token
        if body is not None:
            body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # a keep-alive connection the server had closed: reconnect once
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            if resp.status not in ok:
                raise SystemExit("glance_api.py: %s %s:%s%s answered HTTP %d: %s" % (
                    method, self.host, self.port, path, resp.status, data[:500].decode(errors="replace")))
            return resp, data
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, ok=(200, 201, 202, 204)):
        _, data = self.request(method, path, body, ok=ok)
        return json.loads(data) if data else None


def token(keystone, user, project):
    password = os.environ.get("FERRY_LAB_PASSWORD")
    if not password:
        raise SystemExit("glance_api.py: FERRY_LAB_PASSWORD is not set")
    ks = keystone.rstrip("/")
    if not ks.endswith("/v3"):
        ks += "/v3"
    api = Api(ks)
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    resp, _ = api.request("POST", "/auth/tokens", body, ok=(201,))
    return resp.getheader("X-Subject-Token")


def failure(img):
    status = img.get("status")
    if status in ("killed", "deleted", "pending_delete"):
        return "image is " + status
    if status == "queued" and img.get("os_glance_failed_import"):
        return "import failed into store(s) " + img["os_glance_failed_import"]
    return None


def task_messages(api, image_id):
    try:
        tasks = api.json("GET", "/v2/images/%s/tasks" % image_id)
        return "; ".join("%s: %s" % (t.get("status"), t.get("message")) for t in tasks.get("tasks", []))
    except SystemExit as e:
        return "(tasks not readable: %s)" % e


def wait_active(api, image_id, t0, timeout, import_started=False):
    seen_importing = False
    path = "/v2/images/" + image_id
    tick = t0
    while True:
        img = api.json("GET", path)
        now = time.monotonic()
        status = img.get("status")
        if status == "active":
            return now - t0
        if status == "importing":
            seen_importing = True
        why = failure(img)
        if why is None and status == "queued":
            if seen_importing:
                why = "image went back to queued"
            elif import_started and any(t.get("status") == "failure" for t in
                                        api.json("GET", path + "/tasks").get("tasks", [])):
                why = "the import task failed"
        if why:
            raise SystemExit("glance_api.py: image %s: %s after %.1f s; tasks: %s" % (
                image_id, why, now - t0, task_messages(api, image_id)))
        if now - t0 > timeout:
            raise SystemExit("glance_api.py: image %s still %s after %.0f s; tasks: %s" % (
                image_id, status, timeout, task_messages(api, image_id)))
        # a fixed rate (t0 + k x 0.1 s), not 0.1 s of sleep after every answer
        tick += POLL_SECONDS
        time.sleep(max(0.0, tick - time.monotonic()))


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "token" and len(args) == 3:
        print(token(*args))
    elif cmd == "create" and len(args) == 3:
        base, tok, name = args
        img = Api(base, tok).json("POST", "/v2/images",
                                  {"name": name, "disk_format": "raw", "container_format": "bare"}, ok=(201,))
        print(img["id"])
    elif cmd == "show" and len(args) >= 4:
        base, tok, image_id, fields = args[0], args[1], args[2], args[3:]
        img = Api(base, tok).json("GET", "/v2/images/" + image_id)
        for f in fields:
            v = img.get(f)
            print("" if v is None else (json.dumps(v) if isinstance(v, (list, dict)) else v))
    elif cmd == "delete" and len(args) == 3:
        base, tok, image_id = args
        Api(base, tok).request("DELETE", "/v2/images/" + image_id, ok=(204, 404))
    elif cmd == "import-wait" and len(args) == 5:
        base, tok, image_id, method, timeout = args
        api = Api(base, tok)
        method = json.loads(method)
        # the connection is opened before the clock starts: the import call is timed, not the TCP handshake
        api.conn = http.client.HTTPConnection(api.host, api.port, timeout=120)
        api.conn.connect()
        t0 = time.monotonic()
        api.request("POST", "/v2/images/%s/import" % image_id, {"method": method}, ok=(202,))
        print("%.3f" % wait_active(api, image_id, t0, float(timeout), import_started=True))
    elif cmd == "wait-active" and len(args) == 4:
        base, tok, image_id, timeout = args
        print("%.3f" % wait_active(Api(base, tok), image_id, time.monotonic(), float(timeout)))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
        raise SystemExit("glance_api.py: %s: %s" % (type(e).__name__, e))
