"""Start guarded children from a small process, and report each one's own peak RSS.

Linux keeps a process's peak RSS across `exec`, and a forked child starts with its parent's
pages: a child forked from a test worker that has grown to 300 MB reports at least 300 MB,
whatever it does itself. This script runs in a fresh interpreter (`python -S -I`, standard
library only), so the children it forks start from its own few megabytes and `os.wait4` reports
what each child used. It reads one JSON request on stdin — the jobs and how many may run at
once — and writes one JSON list of results, in the order of the jobs.
"""

import json
import os
import resource
import signal
import sys


def start(job, caps):
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: caps, hang alarm, files, then exec; never returns
        resource.setrlimit(resource.RLIMIT_AS, (caps["address_space"],) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (caps["cpu"], caps["cpu"] + 5))
        signal.alarm(caps["hang"])
        stdin = os.open(job["stdin"] or os.devnull, os.O_RDONLY)
        out = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for fd, target in ((stdin, 0), (out, 1), (err, 2)):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(job["cwd"])
        os.execve(job["argv"][0], job["argv"], job["env"])  # noqa: S606 - the argv as given
    except BaseException as exc:
        os.write(2, f"spawn: {exc!r}\n".encode())
        os._exit(127)


def main():
    request = json.load(sys.stdin)
    jobs, caps, parallel = request["jobs"], request["caps"], request["parallel"]
    results = [None] * len(jobs)
    pending = list(range(len(jobs)))
    running = {}
    while pending or running:
        while pending and len(running) < parallel:
            n = pending.pop(0)
            running[start(jobs[n], caps)] = n
        pid, status, usage = os.wait4(-1, 0)  # the next child to end (each has its alarm)
        n = running.pop(pid, None)
        if n is None:
            continue
        results[n] = {"returncode": os.waitstatus_to_exitcode(status),
                      "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "max_rss_mb": usage.ru_maxrss / 1024}  # KiB on Linux
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
