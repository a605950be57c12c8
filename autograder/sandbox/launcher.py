"""What jupyter_client starts as "the kernel": it asks the fork server for one, and waits.

Run as ``python -S -c SOURCE SOCKET REQUEST CONNECTION_FILE`` (nothing of gdgrade is
importable there): it sends the launch request, then exits with the kernel's exit status.
Killing it closes its connection, and the fork server then kills the whole job.
"""

import json
import socket
import sys


def main(server_path: str, request_text: str, connection_file: str) -> int:
    """Ask for a kernel; return its exit status once it ends."""
    request = json.loads(request_text)
    request["connection_file"] = connection_file
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.connect(server_path)
    server.sendall((json.dumps(request) + "\n").encode())
    status = b""
    while True:
        chunk = server.recv(16)
        if not chunk:
            break
        status += chunk
    return int(status or b"1")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
