"""Checks that each docker-compose.yml profile points its threadcast processes at the Redis it starts.

Reads the output of `docker-compose --profile ... config` (every profile enabled) on stdin. For each service built
from this repository, its profile decides the one Redis variable it must set; every node that variable names must
be a Redis service of the same profile, on the port it listens on, of the right kind (a cluster node, a sentinel
watching REDIS_SENTINEL_NAME), and one the service waits for (through depends_on), as it waits for the service
that forms a cluster; and that service forms it from all of the profile's cluster nodes.

Python, not Node: docker-compose 1.x is a Python program, so PyYAML is there wherever it is (the workspace has no
YAML parser).
"""

import re
import sys
from urllib.parse import urlsplit

import yaml

# The Redis variable a profile's threadcast processes must set (None: the memory engine, no Redis at all).
ENGINE_OF_PROFILE = {
    "default": "REDIS_URL",
    "embedded": None,
    "cluster": "REDIS_CLUSTER_NODES",
    "sentinel": "REDIS_SENTINELS",
}
REDIS_VARIABLES = ("REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS")

services = yaml.safe_load(sys.stdin)["services"]
problems = []


def profile_of(name):
    return (services[name].get("profiles") or ["default"])[0]


def command_of(name):
    command = services[name].get("command") or []
    # `$$` is how the file writes a shell's `$`; compose passes it on as one.
    return (command if isinstance(command, str) else " ".join(command)).replace("$$", "$")


def listen_port(name):
    # `--port N` on the command line, or `port N` in the configuration file it writes
    found = re.search(r"(?:--port|^port|'port) (\d+)", command_of(name), re.M)
    return int(found.group(1)) if found else 6379


def nodes(raw):
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        url = urlsplit(entry if "://" in entry else f"redis://{entry}")
        yield url.hostname, url.port


def waits_for(name, target, seen=frozenset()):
    needs = services[name].get("depends_on") or {}
    return target in needs or any(waits_for(n, target, seen | {name}) for n in needs if n not in seen)


for name, service in services.items():
    if len(service.get("profiles") or []) > 1:
        problems.append(f"{name}: in profiles {service['profiles']}; this check expects one at most")
    if "build" not in service:
        continue
    profile = profile_of(name)
    if profile not in ENGINE_OF_PROFILE:
        problems.append(f"{name}: profile {profile!r} is unknown to this check (add it to ENGINE_OF_PROFILE)")
        continue
    env = service.get("environment") or {}
    expected = ENGINE_OF_PROFILE[profile]
    named = [v for v in REDIS_VARIABLES if env.get(v)]
    if named != ([expected] if expected else []):
        problems.append(f"{name} ({profile}): sets {named or 'no Redis'}, expected {expected or 'no Redis'}")
        continue
    if expected is None:
        continue
    if expected == "REDIS_CLUSTER_NODES":
        for init in (n for n in services if profile_of(n) == profile and "--cluster create" in command_of(n)):
            if not waits_for(name, init):
                problems.append(f"{name}: does not wait for {init}, which forms the cluster")
    for host, port in nodes(env[expected]):
        if host not in services or profile_of(host) != profile:
            problems.append(f"{name}: {expected} names {host}, which is not a service of the {profile} profile")
            continue
        if port != listen_port(host):
            problems.append(f"{name}: {expected} names {host}:{port}, but {host} listens on {listen_port(host)}")
        if not waits_for(name, host):
            problems.append(f"{name}: does not wait for {host} (depends_on, directly or through another service)")
        command = command_of(host)
        if expected == "REDIS_CLUSTER_NODES" and "--cluster-enabled yes" not in command:
            problems.append(f"{name}: {host} is not a cluster node (--cluster-enabled yes)")
        if expected == "REDIS_SENTINELS":
            monitored = re.findall(r"sentinel monitor (\S+) ", command)
            if "--sentinel" not in command or monitored != [env.get("REDIS_SENTINEL_NAME")]:
                problems.append(
                    f"{name}: {host} is not a sentinel watching REDIS_SENTINEL_NAME"
                    f" ({env.get('REDIS_SENTINEL_NAME')!r}; it watches {monitored})"
                )

# Every cluster node of a profile is handed to `redis-cli --cluster create`, or it would stay out of the cluster.
for profile in {profile_of(n) for n in services}:
    members = {n for n in services if profile_of(n) == profile and "--cluster-enabled yes" in command_of(n)}
    if not members:
        continue
    commands = [command_of(n) for n in services if profile_of(n) == profile]
    creates = [re.search(r"--cluster create (.*?) --cluster-", command, re.S) for command in commands]
    listed = {host for c in creates if c for host in re.findall(r"([\w.-]+):\d+", c.group(1))}
    if listed != members:
        problems.append(f"{profile}: cluster nodes {sorted(members)}, but --cluster create lists {sorted(listed)}")

for problem in problems:
    print(f"docker-compose.yml: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
