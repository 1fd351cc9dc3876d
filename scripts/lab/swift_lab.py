#!/usr/bin/python3
"""Python steps of scripts/swift-lab.sh (run with Debian's /usr/bin/python3: swift, swiftclient, keystoneclient).

Usage:
  swift_lab.py rings ETC_DIR PORT_BASE         account/container/object rings (part power 8, 1 replica, device d1
                                               on 127.0.0.1; object PORT_BASE, container +1, account +2)
  swift_lab.py syslog PORT_FILE LOG_DIR        reads the servers' syslog datagrams on a UDP port of 127.0.0.1 (written
                                               to PORT_FILE) into LOG_DIR/<log_name>.log (runs until SIGTERM)
  swift_lab.py keystone AUTH_URL REGION URL    swift user (project service, role admin) and the object-store
                                               service with public/internal/admin endpoints URL in REGION;
                                               passwords from FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD (the admin in
                                               project admin, FERRY_SWIFT_KEYSTONE_ADMIN_USER) and
                                               FERRY_SWIFT_SERVICE_PASSWORD (user swift); find-or-create/update
  swift_lab.py selfcheck PROXY_URL [KEYSTONE_URL USER PROJECT]
                                               see selfcheck(): PUT/GET of a small object and a 2-segment SLO
Passwords and keys are read from the environment, never from the command line.
"""
import os
import signal
import sys
import time

HOST = "127.0.0.1"


def say(msg):
    print("swift_lab: " + msg, flush=True)


# --- rings -----------------------------------------------------------------------------------------------------
def rings(etc_dir, port_base):
    # one process for all three rings: nine swift-ring-builder calls take about 7 s, this about 1.5 s
    from swift.common.ring import RingBuilder
    port_base = int(port_base)
    for offset, kind in ((2, "account"), (1, "container"), (0, "object")):
        builder = RingBuilder(8, 1, 1)
        builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": HOST, "port": port_base + offset,
                         "device": "d1", "weight": 100.0, "meta": ""})
        builder.rebalance()
        builder.save(os.path.join(etc_dir, kind + ".builder"))
        builder.get_ring().save(os.path.join(etc_dir, kind + ".ring.gz"))
        say("%s ring: %s:%d/d1" % (kind, HOST, port_base + offset))


# --- syslog ----------------------------------------------------------------------------------------------------
def syslog(port_file, log_dir):
    """Swift's servers log only through syslog: this is their syslog daemon, on a UDP port of 127.0.0.1 that the
    kernel picks (written to port_file). Not a unix socket: proxy-logging's access log has no setting for
    log_address, only for log_udp_host/port, and would send its lines to /dev/log or UDP port 514."""
    import re
    import socket
    prefix = re.compile(r"^<\d+>")
    name_re = re.compile(r"^([A-Za-z0-9_.-]{1,64}):")
    files = {}

    def stop(*_):
        for f in files.values():
            f.close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".tmp", port_file)
    say("reading syslog datagrams on %s:%d" % (HOST, port))
    while True:
        data = s.recv(65536)
        text = prefix.sub("", data.decode("utf-8", "replace").rstrip("\0\n"))
        # the servers' formatter writes "<log_name>: message"; tracebacks come with #012 for newlines
        m = name_re.match(text)
        name = m.group(1) if m else "swift"
        f = files.get(name)
        if f is None:
            f = files[name] = open(os.path.join(log_dir, name + ".log"), "a", buffering=1)
        f.write("%s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), text.replace("#012", "\n    ")))


# --- keystone --------------------------------------------------------------------------------------------------
def keystone(auth_url, region, url):
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    from keystoneclient.v3 import client as ks_client

    auth_url = auth_url.rstrip("/")
    if not auth_url.endswith("/v3"):
        auth_url += "/v3"
    admin_password = os.environ.get("FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD")
    service_password = os.environ.get("FERRY_SWIFT_SERVICE_PASSWORD")
    if not admin_password or not service_password:
        sys.exit("swift_lab: FERRY_SWIFT_KEYSTONE_ADMIN_PASSWORD and FERRY_SWIFT_SERVICE_PASSWORD must be set")
    auth = v3.Password(auth_url=auth_url, username=os.environ.get("FERRY_SWIFT_KEYSTONE_ADMIN_USER", "admin"),
                       password=admin_password, project_name="admin", user_domain_id="default",
                       project_domain_id="default")
    ks = ks_client.Client(session=ks_session.Session(auth=auth), endpoint_override=auth_url)

    if region not in {r.id for r in ks.regions.list()}:
        ks.regions.create(id=region)
        say("region %s created" % region)
    services = ks.services.list(type="object-store")
    if services:
        service = services[0]
    else:
        service = ks.services.create(name="swift", type="object-store", description="OpenStack Object Storage")
        say("service swift (object-store) created")
    existing = ks.endpoints.list(service=service)
    for interface in ("public", "internal", "admin"):
        same = [e for e in existing if e.region_id == region and e.interface == interface]
        if any(e.url == url for e in same):
            continue
        for e in same:
            ks.endpoints.delete(e)
        ks.endpoints.create(service=service, url=url, interface=interface, region=region, enabled=True)
    say("object-store endpoints of %s: %s" % (region, url))

    roles = {r.name: r for r in ks.roles.list()}
    for needed in ("admin", "member"):
        if needed not in roles:
            roles[needed] = ks.roles.create(name=needed)
            say("role %s created" % needed)
    projects = {p.name: p for p in ks.projects.list(domain="default")}
    project = projects.get("service")
    if project is None:
        project = ks.projects.create(name="service", domain="default", description="Service users")
        say("project service created")
    users = {u.name: u for u in ks.users.list(domain="default")}
    user = users.get("swift")
    if user is None:
        user = ks.users.create(name="swift", domain="default", password=service_password, default_project=project)
    else:
        user = ks.users.update(user, password=service_password, default_project=project)
    ks.roles.grant(roles["admin"], user=user, project=project)
    say("user swift: project service, role admin")


# --- self-check ------------------------------------------------------------------------------------------------
def timed(what, fn, *args, **kwargs):
    t = time.monotonic()
    result = fn(*args, **kwargs)
    say("%-48s %6.3f s" % (what, time.monotonic() - t))
    return result


def check_account(conn, label):
    """A container, a small object PUT/GET and a static large object of two segments; everything deleted after."""
    import hashlib
    import json
    container = "ferry-selfcheck"
    small = os.urandom(4096)
    seg = [os.urandom(1024 * 1024), os.urandom(1024 * 1024 + 17)]
    timed("%s: HEAD account" % label, conn.head_account)
    say("%s: storage URL %s" % (label, conn.url))
    timed("%s: PUT container" % label, conn.put_container, container)
    timed("%s: PUT object (4 KiB)" % label, conn.put_object, container, "small", small)
    _, body = timed("%s: GET object" % label, conn.get_object, container, "small")
    if body != small:
        raise SystemExit("swift_lab: %s: the object read back differs" % label)
    manifest = []
    for i, data in enumerate(seg):
        etag = timed("%s: PUT SLO segment %d (%d B)" % (label, i, len(data)), conn.put_object, container,
                     "slo/seg%d" % i, data)
        if etag != hashlib.md5(data).hexdigest():
            raise SystemExit("swift_lab: %s: wrong ETag of segment %d" % (label, i))
        manifest.append({"path": "/%s/slo/seg%d" % (container, i), "etag": etag, "size_bytes": len(data)})
    timed("%s: PUT SLO manifest" % label, conn.put_object, container, "slo/object", json.dumps(manifest),
          query_string="multipart-manifest=put")
    headers, body = timed("%s: GET SLO (2 segments)" % label, conn.get_object, container, "slo/object")
    if body != seg[0] + seg[1] or headers.get("x-static-large-object") != "True":
        raise SystemExit("swift_lab: %s: the SLO read back differs" % label)
    _, ranged = conn.get_object(container, "slo/object", headers={"Range": "bytes=1048570-1048580"})
    if ranged != (seg[0] + seg[1])[1048570:1048581]:
        raise SystemExit("swift_lab: %s: a ranged GET across the segments is wrong" % label)
    timed("%s: DELETE SLO and segments" % label, conn.delete_object, container, "slo/object",
          query_string="multipart-manifest=delete")
    conn.delete_object(container, "small")
    timed("%s: DELETE container" % label, conn.delete_container, container)


def check_s3(endpoint, access, secret):
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                      region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    bucket = "ferry-selfcheck-s3"
    timed("s3: create bucket", s3.create_bucket, Bucket=bucket)
    timed("s3: PUT object", s3.put_object, Bucket=bucket, Key="k", Body=b"ferry s3 self-check")
    body = timed("s3: GET object", lambda: s3.get_object(Bucket=bucket, Key="k")["Body"].read())
    if body != b"ferry s3 self-check":
        raise SystemExit("swift_lab: s3: the object read back differs")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def selfcheck(proxy_url, keystone_url=None, ks_user=None, ks_project=None):
    """As test:tester (tempauth), test2:tester2 (must not see test's account), through S3 (test:tester) and, with
    keystone_url, as ks_user in ks_project (Keystone, RegionOne). Keys and passwords: FERRY_SWIFT_KEY,
    FERRY_SWIFT_KEY2, FERRY_SWIFT_S3_SECRET_KEY, FERRY_SWIFT_KEYSTONE_PASSWORD."""
    from swiftclient import client as sc
    auth_url = proxy_url + "/auth/v1.0"
    conn = sc.Connection(authurl=auth_url, user="test:tester", key=os.environ["FERRY_SWIFT_KEY"], retries=0,
                         timeout=30)
    timed("tempauth test:tester: token", conn.get_auth)
    check_account(conn, "tempauth test:tester")

    conn2 = sc.Connection(authurl=auth_url, user="test2:tester2", key=os.environ["FERRY_SWIFT_KEY2"], retries=0,
                          timeout=30)
    conn2.get_auth()
    if conn2.url == conn.url:
        raise SystemExit("swift_lab: test:tester and test2:tester2 share the storage URL %s" % conn.url)
    try:
        sc.get_account(conn.url, conn2.token)
    except sc.ClientException as e:
        if e.http_status != 403:
            raise
        say("tempauth test2:tester2: the account of test:tester is forbidden (403): right")
    else:
        raise SystemExit("swift_lab: test2:tester2 can read the account of test:tester")

    check_s3(proxy_url, "test:tester", os.environ["FERRY_SWIFT_S3_SECRET_KEY"])

    if keystone_url:
        label = "keystone %s" % ks_user
        conn = sc.Connection(authurl=keystone_url, user=ks_user, key=os.environ["FERRY_SWIFT_KEYSTONE_PASSWORD"],
                             auth_version="3", retries=0, timeout=30,
                             os_options={"project_name": ks_project, "user_domain_name": "Default",
                                         "project_domain_name": "Default", "region_name": "RegionOne",
                                         "service_type": "object-store", "endpoint_type": "publicURL"})
        timed("%s: token and catalog" % label, conn.get_auth)
        check_account(conn, label)
        # the tempauth user must not reach the Keystone project's account, nor the other way round
        try:
            sc.get_account(conn.url, conn2.token)
        except sc.ClientException as e:
            if e.http_status not in (401, 403):
                raise
            say("tempauth test2:tester2: the account of %s is forbidden (%d): right" % (label, e.http_status))
        else:
            raise SystemExit("swift_lab: test2:tester2 can read the account of %s" % label)


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "rings" and len(args) == 2:
        rings(*args)
    elif cmd == "syslog" and len(args) == 2:
        syslog(*args)
    elif cmd == "keystone" and len(args) == 3:
        from keystoneauth1 import exceptions as ks_exceptions
        try:
            keystone(*args)
        except ks_exceptions.ClientException as e:
            sys.exit("swift_lab: Keystone at %s: %s" % (args[0], e))
    elif cmd == "selfcheck" and len(args) in (1, 4):
        selfcheck(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
