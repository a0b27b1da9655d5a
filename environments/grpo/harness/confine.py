"""Confining the model worker before it imports any code being evaluated (Linux; each layer where the kernel has it).

A model worker (model_worker.py, policy_worker.py; started by sealed_eval.start_workers) calls `confine()` once,
before it loads the checkpoint or imports the edited model code. From then on, in that process and everything it
starts:

- no new privileges, every capability dropped (even as root), no core dumps;
- Landlock: files can be read only under `readable` (the Python installation, the system folders, the workspace,
  the checkpoint), minus every path in `denied` (the harness copy, the result folder, the evaluation data, the
  evaluation home); nothing can be created or written anywhere but in `writable` (the worker's own scratch folder)
  and the character devices in /dev; no TCP, no signals to and no abstract unix sockets of processes outside the
  worker (where the kernel's Landlock has them); and no ptrace access, so not /proc/<harness>/mem or environ;
- seccomp: no ptrace family, no System V IPC, POSIX message queues or kernel keyrings (state that would outlive the
  worker and reach the next one), no io_uring, bpf or perf events, and with `network=False` no sockets at all (unix
  socket pairs excepted), so not the host's unix sockets either.

`confine()` reports what it could apply; the harness writes that into result.json ("isolation").
"""

import ctypes
import os
import platform
import resource
import struct

_PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 38, 24, 47, 4
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_CAP_VERSION_3 = 0x20080522

# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on every architecture we run on.
_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446
_LL_VERSION, _LL_PATH_BENEATH = 1, 1
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_MAKE_ALL = sum(1 << bit for bit in range(4, 13))  # remove dir/file, make char/dir/reg/sock/fifo/block/sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV  # the only rights a rule on a file may hold

SYSTEM_FOLDERS = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys")
# Never needed by Python, and where a global npm install of groundwork (and its environments) would live.
ALWAYS_DENIED = ("/usr/lib/node_modules", "/usr/local/lib/node_modules")

# Seccomp: syscall numbers per audit architecture.
_ARCHES = {
    "x86_64": (0xC000003E, {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_getfd": 438, "kcmp": 312,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
        "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240, "mq_unlink": 241,
        "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245, "add_key": 248,
        "request_key": 249, "keyctl": 250, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 321, "perf_event_open": 298, "socket": 41,
    }),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "pidfd_getfd": 438, "kcmp": 272,
        "shmget": 194, "shmat": 196, "shmctl": 195, "shmdt": 197, "semget": 190, "semop": 193, "semctl": 191,
        "semtimedop": 192, "msgget": 186, "msgsnd": 189, "msgrcv": 188, "msgctl": 187, "mq_open": 180, "mq_unlink": 181,
        "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184, "mq_getsetattr": 185, "add_key": 217,
        "request_key": 218, "keyctl": 219, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 280, "perf_event_open": 241, "socket": 198,
    }),
}
_ALWAYS_BLOCKED = ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "bpf", "perf_event_open")
_STATE_BLOCKED = (
    "shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv",
    "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr", "add_key",
    "request_key", "keyctl", "io_uring_setup", "io_uring_enter", "io_uring_register",
)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _prctl(*args) -> bool:
    return _libc.prctl(*[ctypes.c_ulong(a) for a in args] + [ctypes.c_ulong(0)] * (5 - len(args))) == 0


def drop_privileges() -> bool:
    """No new privileges, no capabilities (bounding, ambient, effective, permitted, inheritable), no core files."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if not _prctl(_PR_SET_NO_NEW_PRIVS, 1):
        return False
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    header = struct.pack("=Ii", _CAP_VERSION_3, 0)
    data = bytes(24)  # two __user_cap_data_struct, all zero
    return _libc.capset(ctypes.c_char_p(header), ctypes.c_char_p(data)) == 0


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _grants(roots, denied):
    """Folders and files to grant so that everything under `roots` is covered except `denied` and what is under it.

    A root that holds a denied path is replaced by its entries, recursively, minus the denied ones.
    """
    out = []
    for root in roots:
        if any(_inside(root, d) for d in denied) or not os.path.exists(root):
            continue
        if not any(_inside(d, root) for d in denied):
            out.append(root)
            continue
        try:
            entries = sorted(os.listdir(root))
        except OSError:
            continue
        out.extend(_grants([os.path.join(root, e) for e in entries], denied))
    return out


def _landlock_abi() -> int:
    abi = _libc.syscall(_LL_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_LL_VERSION))
    return int(abi) if abi > 0 else 0


def _add_rule(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            access &= _FILE_RIGHTS
        attr = struct.pack("=Qi", access, fd)  # struct landlock_path_beneath_attr is packed
        if _libc.syscall(_LL_ADD_RULE, ruleset, _LL_PATH_BENEATH, ctypes.c_char_p(attr), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule({path}): {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


def _devices():
    """Character devices under /dev (GPUs, /dev/null, ...), not the shared-memory or message-queue folders."""
    found = []
    for folder in ("/dev", "/dev/nvidia-caps", "/dev/dri"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                if os.path.islink(path) or not os.path.exists(path):
                    continue
                if (os.stat(path).st_mode & 0o170000) == 0o020000:
                    found.append(path)
            except OSError:
                pass
    return found


def landlock(readable, writable, denied, network: bool) -> int:
    """Restrict this process (and its future children) as described in the module docstring; the ABI, or 0."""
    abi = _landlock_abi()
    if abi < 1:
        return 0
    handled = _READ | _WRITE_FILE | _MAKE_ALL
    handled |= (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0) | (_IOCTL_DEV if abi >= 5 else 0)
    net = 0 if network or abi < 4 else _NET_BIND_TCP | _NET_CONNECT_TCP
    scoped = _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("=QQQ", handled, net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    ruleset = _libc.syscall(_LL_CREATE, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)), 0)
    if ruleset < 0:
        return 0
    try:
        denied = [os.path.realpath(d) for d in list(denied) + list(ALWAYS_DENIED) if d and os.path.lexists(d)]
        roots = sorted({os.path.realpath(r) for r in readable if r})
        for path in _grants(roots, denied):
            _add_rule(ruleset, path, _READ)
        if os.path.isdir("/dev"):
            _add_rule(ruleset, "/dev", _READ_DIR)
        for path in _devices():
            _add_rule(ruleset, path, _READ_FILE | _WRITE_FILE | _TRUNCATE | _IOCTL_DEV)
        for path in _grants(sorted({os.path.realpath(w) for w in writable if w}), denied):
            _add_rule(ruleset, path, handled)
        if _libc.syscall(_LL_RESTRICT, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return abi


def _filter(arch: int, numbers: dict, blocked, network: bool) -> bytes:
    """A classic-BPF seccomp program: EPERM for `blocked`, and with network=False EAFNOSUPPORT for every socket()."""
    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    allow, eperm, eafnosupport = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 97  # RET_ALLOW, RET_ERRNO | errno
    # Another architecture's system calls (int 0x80 on x86_64, say) would bypass the table: refuse them.
    insns = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm), (ld, 0, 0, 0)]
    if arch == 0xC000003E:  # x32 system calls on x86_64 (nr | 0x40000000): refuse them all
        insns += [(0x35, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # BPF_JGE
    for name in blocked:
        insns += [(jeq, 0, 1, numbers[name]), (ret, 0, 0, eperm)]
    if not network:
        insns += [(jeq, 0, 1, numbers["socket"]), (ret, 0, 0, eafnosupport)]  # socketpair() stays allowed
    insns.append((ret, 0, 0, allow))
    return b"".join(struct.pack("=HBBI", *insn) for insn in insns)


def seccomp(network: bool, keep_state: bool) -> bool:
    """Install the filter (needs no-new-privileges first); False on an architecture this file has no table for."""
    entry = _ARCHES.get(platform.machine())
    if entry is None:
        return False
    arch, numbers = entry
    blocked = _ALWAYS_BLOCKED + (() if keep_state else _STATE_BLOCKED)
    program = _filter(arch, numbers, blocked, network)
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = ctypes.create_string_buffer(struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(buffer)), 16)
    return _prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog))


def python_folders(sys_module) -> list:
    """Where this interpreter and its modules live: its prefixes and every existing sys.path entry."""
    folders = [sys_module.prefix, sys_module.base_prefix, sys_module.exec_prefix, os.path.dirname(sys_module.executable)]
    folders += [p for p in sys_module.path if p and os.path.isdir(p)]
    return folders


def confine(readable, writable, denied, network: bool = False, keep_state: bool = False) -> dict:
    """Apply every layer this kernel offers; {'privileges_dropped', 'seccomp', 'landlock_abi'}."""
    report = {"privileges_dropped": drop_privileges()}
    report["seccomp"] = seccomp(network, keep_state) if report["privileges_dropped"] else False
    try:
        report["landlock_abi"] = landlock(list(SYSTEM_FOLDERS) + list(readable), writable, denied, network)
    except OSError as error:
        report["landlock_abi"] = 0
        report["landlock_error"] = str(error)
    return report
