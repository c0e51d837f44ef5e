"""analysis/testbed_replay.py: max-min sharing of a star's host links,
against times worked out by hand."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(os.environ["SYNCSIM_SRC"])
sys.path.insert(0, str(SRC / "analysis"))

import testbed_replay  # noqa: E402


def msg(number, sender, receiver, size, send):
    return {"message": number, "sender": sender, "receiver": receiver, "bytes": size,
            "send": send}


def test_a_message_alone_takes_its_bytes_over_the_rate():
    assert abs(testbed_replay.replay([msg(1, 0, 1, 1e6, 0.5)], 1e6)[1] - 1.5) < 1e-9


def test_two_messages_into_one_host_share_its_link():
    # Both into host 2 at once: 0.5 MB/s each, 2 s; host 3 -> 4 is alone: 1 s.
    d = testbed_replay.replay([msg(1, 0, 2, 1e6, 0), msg(2, 1, 2, 1e6, 0),
                               msg(3, 3, 4, 1e6, 0)], 1e6)
    assert abs(d[1] - 2) < 1e-9 and abs(d[2] - 2) < 1e-9 and abs(d[3] - 1) < 1e-9


def test_a_later_message_takes_its_share_from_then_on():
    # 2 MB from t=0 alone for 1 s (1 MB moved), then 0.5 MB arrives: both
    # at 0.5 MB/s until the small one is done at 2 s; the big one has 0.5 MB
    # left and finishes alone at 2.5 s.
    d = testbed_replay.replay([msg(1, 0, 2, 2e6, 0), msg(2, 1, 2, 0.5e6, 1.0)], 1e6)
    assert abs(d[2] - 2.0) < 1e-9 and abs(d[1] - 2.5) < 1e-9


def test_messages_on_one_connection_go_one_after_the_other():
    d = testbed_replay.replay([msg(1, 0, 1, 1e6, 0), msg(2, 0, 1, 1e6, 0)], 1e6)
    assert abs(d[1] - 1) < 1e-9 and abs(d[2] - 2) < 1e-9


def test_the_command_compares_totals(tmp_path):
    # Measured 1.0 s and 2.5 s (3.5 s); the model gives 2 s each (4.0 s,
    # as above; 8 Mbit/s is 1 MB/s): +14.3%.
    path = tmp_path / "messages.csv"
    path.write_text("message,from,to,bytes,predicted_send_s,predicted_delivery_s,"
                    "measured_send_s,measured_delivery_s\n"
                    "1,0,2,1000000,0,2,0,1.0\n2,1,2,1000000,0,2,0,2.5\n")
    out = subprocess.run([sys.executable, str(SRC / "analysis" / "testbed_replay.py"),
                          str(path), "--bandwidth", "8Mbps"], check=True,
                         capture_output=True, text=True).stdout
    assert "2 messages: measured send-to-delivery 3.500 s in total, the model from the same " \
           "sends 4.000 s (+14.3%)" in out
