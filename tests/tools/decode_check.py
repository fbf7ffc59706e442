"""Shared by the bacsc-decode checks (tests/tools/test-*decode*.sh)."""
import subprocess


class Checks:
    """Runs the tool and counts the checks that failed."""

    def __init__(self, tool):
        self.tool = tool
        self.fails = 0

    def run(self, args, stdin=None):
        """Exit status, stdout and stderr of the tool with args."""
        p = subprocess.run([self.tool] + args, input=stdin,
                           capture_output=True, text=True, timeout=10)
        return p.returncode, p.stdout, p.stderr

    def fail(self, msg):
        self.fails += 1
        print("FAIL: " + msg)
