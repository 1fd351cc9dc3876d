#!/usr/bin/python3
"""python-glanceclient's Python API (Debian python3-glanceclient 4.1) drives Ferry through real Keystone.

Run by org.ferry.interop.GlanceclientApiInteropTest, under /usr/bin/python3:

    glanceclient_scenario.py REPORT.json

Environment: OS_AUTH_URL (Keystone, .../v3), FERRY_LAB_PASSWORD (every lab user's password), FERRY_REGION (Ferry's
region in the catalog, RegionThree), FERRY_URL (the image endpoint that region must have), GLANCE_REGION (a real
Glance region to glance-download from, RegionOne).

The clients find Ferry through the catalog of their token (region_name=FERRY_REGION, interface public), as Nova or
Cinder would. Every step is recorded as ok or failed (with the reason) in REPORT.json and printed as "STEP name ...";
a failing step does not stop the steps that do not depend on it. Exit status 0 when every step passed.
"""
import hashlib
import io
import json
import os
import sys
import time
import traceback

from glanceclient import Client
from glanceclient import exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

AUTH_URL = os.environ["OS_AUTH_URL"]
PASSWORD = os.environ["FERRY_LAB_PASSWORD"]
FERRY_REGION = os.environ.get("FERRY_REGION", "RegionThree")
GLANCE_REGION = os.environ.get("GLANCE_REGION", "RegionOne")
FERRY_URL = os.environ["FERRY_URL"]
MIB = 1024 * 1024
TIMEOUT = 300

results = {}      # step -> "ok" | "FAIL: ..."
cleanup = []      # (client, image id)


def session(user, project):
    auth = v3.Password(auth_url=AUTH_URL, username=user, password=PASSWORD, project_name=project,
                       user_domain_name="Default", project_domain_name="Default")
    return ks_session.Session(auth=auth)


def client(sess, region):
    return Client("2", session=sess, region_name=region, interface="public")


def data_of(seed, size):
    out = bytearray()
    block = hashlib.sha512(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha512(block).digest()
        out += block
    return bytes(out[:size])


def digests(data):
    return hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()


class StepFailed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise StepFailed(msg)


def step(name, depends=()):
    """Decorator: runs the function now as step NAME unless a step it depends on failed."""
    def run(fn):
        missing = [d for d in depends if results.get(d) != "ok"]
        if missing:
            results[name] = "FAIL: not run, needs " + ", ".join(missing)
        else:
            try:
                fn()
                results[name] = "ok"
            except StepFailed as e:
                results[name] = "FAIL: %s" % e
            except Exception as e:  # a client exception is a failure of the step, with its details
                results[name] = "FAIL: %s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())
        print("STEP %s %s" % (name, results[name].splitlines()[0]), flush=True)
        return fn
    return run


def wait(gc, image_id, what, cond, timeout=TIMEOUT):
    end = time.time() + timeout
    img = None
    while time.time() < end:
        img = gc.images.get(image_id)
        if cond(img):
            return img
        if img.get("os_glance_failed_import"):
            raise StepFailed("%s: import failed into %s: %r" % (image_id, img["os_glance_failed_import"], dict(img)))
        time.sleep(0.5)
    raise StepFailed("%s did not become %s within %s s: %r" % (image_id, what, timeout, dict(img or {})))


def active(img):
    return img["status"] == "active"


def read_all(gc, image_id):
    """Downloads through glanceclient, which verifies os_hash_value (or checksum) while reading."""
    body = gc.images.data(image_id)
    check(body is not None, "no data for %s" % image_id)
    return b"".join(body)


def tasks_of(gc, image_id):
    return list(gc.images.get_associated_image_tasks(image_id)["tasks"])


demo = client(session("demo", "demo"), FERRY_REGION)
admin = client(session("admin", "admin"), FERRY_REGION)
demo_glance = client(session("demo", "demo"), GLANCE_REGION)
state = {}

DATA = data_of(1, 8 * MIB + 321)
MD5, SHA512 = digests(DATA)
STAGED = data_of(2, 5 * MIB + 17)
STAGED_MD5, STAGED_SHA512 = digests(STAGED)
REMOTE = data_of(3, 6 * MIB + 5)
REMOTE_MD5, REMOTE_SHA512 = digests(REMOTE)


@step("endpoint-from-catalog")
def _():
    url = demo.http_client.get_endpoint()
    check(url and url.rstrip("/") == FERRY_URL.rstrip("/"), "catalog endpoint of %s: %s, expected %s"
          % (FERRY_REGION, url, FERRY_URL))


@step("create")
def _():
    img = demo.images.create(name="gc-upload", disk_format="raw", container_format="bare", visibility="private",
                             os_distro="cirros", gc_key="gc value", tags=["gc"])
    cleanup.append((demo, img["id"]))
    state["upload"] = img["id"]
    check(img["status"] == "queued", "status %s" % img["status"])
    check(img["gc_key"] == "gc value" and img["os_distro"] == "cirros", "properties: %r" % dict(img))
    check(img["tags"] == ["gc"], "tags %r" % img["tags"])
    check(img["visibility"] == "private", "visibility %r" % img["visibility"])
    shown = demo.images.get(img["id"])
    check(shown["name"] == "gc-upload", "get: %r" % dict(shown))
    check(any(i["id"] == img["id"] for i in demo.images.list(filters={"name": "gc-upload"})), "not listed")


@step("upload", depends=["create"])
def _():
    demo.images.upload(state["upload"], io.BytesIO(DATA), image_size=len(DATA))
    img = demo.images.get(state["upload"])
    check(img["status"] == "active", "status %s" % img["status"])
    check(img["size"] == len(DATA), "size %s" % img["size"])
    check(img["checksum"] == MD5, "checksum %s != %s" % (img["checksum"], MD5))
    check(img["os_hash_algo"] == "sha512", "os_hash_algo %s" % img["os_hash_algo"])
    check(img["os_hash_value"] == SHA512, "os_hash_value differs")
    check(img["stores"] == "fast", "stores %r" % img.get("stores"))


@step("download-verified", depends=["upload"])
def _():
    got = read_all(demo, state["upload"])
    check(len(got) == len(DATA) and got == DATA, "downloaded %d bytes that differ" % len(got))
    # the same through the md5 path of the client
    body = demo.images.data(state["upload"], do_checksum=True, allow_md5_fallback=True)
    check(hashlib.md5(b"".join(body)).hexdigest() == MD5, "md5 of the second download")


@step("stage-glance-direct")
def _():
    img = demo.images.create(name="gc-staged", disk_format="raw", container_format="bare")
    cleanup.append((demo, img["id"]))
    state["staged"] = img["id"]
    demo.images.stage(img["id"], io.BytesIO(STAGED), image_size=len(STAGED))
    check(demo.images.get(img["id"])["status"] == "uploading", "status after stage")
    demo.images.image_import(img["id"], method="glance-direct")
    img = wait(demo, img["id"], "active", active)
    check(img["size"] == len(STAGED), "size %s" % img["size"])
    check(img["checksum"] == STAGED_MD5, "checksum")
    check(img["os_hash_value"] == STAGED_SHA512, "os_hash_value")
    check(img.get("os_glance_importing_to_stores", "") == "", "still importing to %r"
          % img.get("os_glance_importing_to_stores"))
    check(b"".join(demo.images.data(img["id"])) == STAGED, "data after glance-direct")


@step("glance-download")
def _():
    src = demo_glance.images.create(name="gc-remote-source", disk_format="qcow2", container_format="bare",
                                    os_distro="fedora", hw_cpu_sockets="2", gc_remote_only="x")
    cleanup.append((demo_glance, src["id"]))
    demo_glance.images.upload(src["id"], io.BytesIO(REMOTE), image_size=len(REMOTE))
    src = wait(demo_glance, src["id"], "active in %s" % GLANCE_REGION, active)
    dst = demo.images.create(name="gc-downloaded", disk_format="raw", container_format="bare", os_distro="other")
    cleanup.append((demo, dst["id"]))
    state["downloaded"] = dst["id"]
    demo.images.image_import(dst["id"], method="glance-download", remote_region=GLANCE_REGION,
                             remote_image_id=src["id"], remote_service_interface="public")
    img = wait(demo, dst["id"], "active", active)
    for k in ("size", "checksum", "os_hash_algo", "os_hash_value", "disk_format", "container_format"):
        check(img[k] == src[k], "%s: Ferry %r, Glance %r" % (k, img[k], src[k]))
    check(img["checksum"] == REMOTE_MD5, "checksum of the data")
    check(img["os_distro"] == "fedora" and img["hw_cpu_sockets"] == "2", "copied properties: %r" % dict(img))
    check("gc_remote_only" not in img, "copied a property outside the prefixes")
    check(b"".join(demo.images.data(dst["id"])) == REMOTE, "data after glance-download")


@step("image-tasks", depends=["stage-glance-direct", "glance-download", "upload"])
def _():
    for key, method in (("staged", "glance-direct"), ("downloaded", "glance-download")):
        tasks = tasks_of(demo, state[key])
        check(len(tasks) == 1, "%s: %d tasks: %r" % (method, len(tasks), tasks))
        t = tasks[0]
        check(t["status"] == "success", "%s task status %s: %s" % (method, t["status"], t.get("message")))
        check(t["type"] == "api_image_import", "%s task type %s" % (method, t["type"]))
        check(t["input"]["import_req"]["method"]["name"] == method, "%s task input %r" % (method, t["input"]))
        check(t["image_id"] == state[key], "task image_id %r" % t.get("image_id"))
        check(t.get("request_id"), "no request_id in %r" % t)
    check(tasks_of(demo, state["upload"]) == [], "a plain upload has tasks")


def store_ids(info):
    return [s["id"] for s in info["stores"]]


@step("stores-info-member")
def _():
    info = demo.images.get_stores_info()
    check(sorted(store_ids(info)) == ["cheap", "fast"], "stores %r" % info)
    default = [s["id"] for s in info["stores"] if s.get("default")]
    check(default == ["fast"], "default store %r" % default)
    check(all("type" not in s and "properties" not in s for s in info["stores"]), "details without detail: %r" % info)


@step("stores-info-admin")
def _():
    info = admin.images.get_stores_info()
    check(sorted(store_ids(info)) == ["cheap", "fast"], "stores %r" % info)
    check(all("type" not in s for s in info["stores"]), "details without detail: %r" % info)


@step("stores-info-detail-admin")
def _():
    info = admin.images.get_stores_info_detail()
    check(sorted(store_ids(info)) == ["cheap", "fast"], "stores %r" % info)
    for s in info["stores"]:
        check(s.get("type") == "file", "type of %r" % s)
        check(isinstance(s.get("properties"), dict), "properties of %r" % s)


@step("stores-info-detail-member")
def _():
    try:
        info = demo.images.get_stores_info_detail()
    except exc.HTTPForbidden:
        return
    raise StepFailed("a member got the store details: %r" % info)


@step("copy-image-member-forbidden", depends=["upload"])
def _():
    try:
        demo.images.image_import(state["upload"], method="copy-image", stores=["cheap"])
    except exc.HTTPForbidden:
        return
    raise StepFailed("a member may copy-image")


@step("copy-image-admin", depends=["upload"])
def _():
    admin.images.image_import(state["upload"], method="copy-image", stores=["cheap"])
    img = wait(admin, state["upload"], "in cheap and fast",
               lambda i: i.get("stores") == "cheap,fast" and i.get("os_glance_importing_to_stores") == "")
    check(img.get("os_glance_failed_import") == "", "failed stores %r" % img.get("os_glance_failed_import"))
    seen = demo.images.get(state["upload"])
    check(seen["stores"] == "cheap,fast", "demo sees stores %r" % seen.get("stores"))
    check(seen["checksum"] == MD5 and seen["os_hash_value"] == SHA512, "hashes changed by the copy")
    tasks = tasks_of(admin, state["upload"])
    check(len(tasks) == 1 and tasks[0]["status"] == "success", "copy-image tasks %r" % tasks)
    check(tasks[0]["input"]["import_req"]["method"]["name"] == "copy-image", "task input %r" % tasks[0]["input"])


@step("download-after-copy", depends=["copy-image-admin"])
def _():
    check(read_all(demo, state["upload"]) == DATA, "demo's download after the copy")
    check(read_all(admin, state["upload"]) == DATA, "admin's download after the copy")


@step("delete")
def _():
    failures = []
    for gc, image_id in reversed(cleanup):
        try:
            gc.images.delete(image_id)
        except exc.HTTPNotFound:
            pass
        except Exception as e:
            failures.append("%s: %s" % (image_id, e))
    for gc, image_id in cleanup:
        try:
            gc.images.get(image_id)
            failures.append("%s still there after delete" % image_id)
        except exc.HTTPNotFound:
            pass
    check(not failures, "; ".join(failures))


with open(sys.argv[1], "w") as f:
    json.dump(results, f, indent=1)
sys.exit(0 if all(v == "ok" for v in results.values()) else 1)
