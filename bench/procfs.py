"""What a running gunicorn's processes hold, read from /proc (Linux): its workers, their RSS, and which worker
holds a given TCP connection (so a benchmark knows which process serves a stream, and whose Redis connection
is whose, exactly, even on a shared Redis)."""
import os


def worker_pids(master_pid):
    """The pids of a gunicorn master's children (its workers), sorted."""
    pids = set()
    for task in os.listdir(f"/proc/{master_pid}/task"):
        with open(f"/proc/{master_pid}/task/{task}/children") as children:
            pids.update(int(pid) for pid in children.read().split())
    return sorted(pids)


def rss_bytes(pid):
    """Resident set size of `pid` (VmRSS), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def socket_inodes(pid):
    """The inodes of the sockets `pid` has open."""
    inodes = set()
    base = f"/proc/{pid}/fd"
    for fd in os.listdir(base):
        try:
            target = os.readlink(f"{base}/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def tcp_connections():
    """[(local port, remote port, inode)] of every established IPv4 TCP socket (/proc/net/tcp)."""
    rows = []
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[3] != "01":  # ESTABLISHED
                continue
            rows.append((int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), int(fields[9])))
    return rows


def owners(pids, local_port=None, remote_port=None):
    """{pid: [(local port, remote port)]} of the established sockets each pid holds, filtered by port."""
    held = {pid: socket_inodes(pid) for pid in pids}
    found = {pid: [] for pid in pids}
    for local, remote, inode in tcp_connections():
        if (local_port is not None and local != local_port) or (remote_port is not None and remote != remote_port):
            continue
        for pid, inodes in held.items():
            if inode in inodes:
                found[pid].append((local, remote))
    return found


def server_side(pids, server_port, client_ports):
    """{client port: pid of the worker holding the server end of that connection} (None if not found)."""
    by_client = {remote: pid for pid, pairs in owners(pids, local_port=server_port).items() for _, remote in pairs}
    return {port: by_client.get(port) for port in client_ports}


def cpu_seconds(pid):
    """CPU time `pid` has used (user + system), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
