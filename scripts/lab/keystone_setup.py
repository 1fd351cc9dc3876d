#!/usr/bin/python3
"""Creates the Ferry lab's Keystone resources (called by scripts/openstack-lab.sh up).

Usage: /usr/bin/python3 keystone_setup.py AUTH_URL REGION=IMAGE_URL [REGION=IMAGE_URL ...]

The password of admin (from keystone-manage bootstrap) and of the users created here is read from the environment
variable FERRY_LAB_PASSWORD, never from the command line. Everything is find-or-create, so a second run changes
nothing:
  - the regions named on the command line;
  - service "glance" of type "image", with public/internal/admin endpoints per region (an endpoint with another
    URL is replaced);
  - role "service" (bootstrap made admin, member and reader);
  - user "glance" in project "service" with roles admin and service (Glance's and Ferry's token validation);
  - users "demo" and "alt_demo", each in its own project of the same name, with roles member and reader.
One Keystone session is used for everything: one CLI process per step costs about two seconds each.
"""
import os
import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as ks_client

INTERFACES = ("public", "internal", "admin")
DOMAIN = "default"
# user -> (project, roles)
USERS = {
    "glance": ("service", ("admin", "service")),
    "demo": ("demo", ("member", "reader")),
    "alt_demo": ("alt_demo", ("member", "reader")),
}
PROJECT_DESCRIPTIONS = {
    "service": "Service users of the Ferry lab",
    "demo": "Ferry lab demo project",
    "alt_demo": "Ferry lab second demo project",
}


def say(msg):
    print("keystone_setup: " + msg, flush=True)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    auth_url = argv[0].rstrip("/")
    if not auth_url.endswith("/v3"):
        auth_url += "/v3"
    endpoints = []
    for arg in argv[1:]:
        region, sep, url = arg.partition("=")
        if not sep or not region or not url.startswith(("http://", "https://")):
            sys.exit("keystone_setup: expected REGION=http(s)://URL, got %r" % arg)
        endpoints.append((region, url))
    password = os.environ.get("FERRY_LAB_PASSWORD")
    if not password:
        sys.exit("keystone_setup: FERRY_LAB_PASSWORD is not set")

    auth = v3.Password(auth_url=auth_url, username="admin", password=password, project_name="admin",
                       user_domain_id=DOMAIN, project_domain_id=DOMAIN)
    ks = ks_client.Client(session=ks_session.Session(auth=auth), endpoint_override=auth_url)

    # regions
    have = {r.id for r in ks.regions.list()}
    for region, _ in endpoints:
        if region not in have:
            ks.regions.create(id=region)
            have.add(region)
            say("region %s created" % region)

    # the image service and its endpoints
    services = ks.services.list(type="image")
    if services:
        service = services[0]
    else:
        service = ks.services.create(name="glance", type="image", description="OpenStack Image")
        say("service glance (image) created")
    existing = ks.endpoints.list(service=service)
    for region, url in endpoints:
        for interface in INTERFACES:
            same = [e for e in existing if e.region_id == region and e.interface == interface]
            if any(e.url == url for e in same):
                continue
            for e in same:
                ks.endpoints.delete(e)
            ks.endpoints.create(service=service, url=url, interface=interface, region=region, enabled=True)
        say("image endpoints of %s: %s" % (region, url))

    # roles, projects, users, grants
    roles = {r.name: r for r in ks.roles.list()}
    for needed in sorted({r for _, rs in USERS.values() for r in rs}):
        if needed not in roles:
            roles[needed] = ks.roles.create(name=needed)
            say("role %s created" % needed)
    projects = {p.name: p for p in ks.projects.list(domain=DOMAIN)}
    for name in sorted({p for p, _ in USERS.values()}):
        if name not in projects:
            projects[name] = ks.projects.create(name=name, domain=DOMAIN, description=PROJECT_DESCRIPTIONS[name])
            say("project %s created" % name)
    users = {u.name: u for u in ks.users.list(domain=DOMAIN)}
    for name, (project_name, role_names) in USERS.items():
        project = projects[project_name]
        user = users.get(name)
        if user is None:
            user = ks.users.create(name=name, domain=DOMAIN, password=password, default_project=project)
        else:
            user = ks.users.update(user, password=password, default_project=project)
        for role_name in role_names:
            ks.roles.grant(roles[role_name], user=user, project=project)
        say("user %s: project %s, roles %s" % (name, project_name, ", ".join(role_names)))


if __name__ == "__main__":
    main(sys.argv[1:])
