"""Operator commands at the kiosk: one published again (the hub's link restarted before its
PUBACK) is answered, not carried out twice, even across a restart of the agent."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from edge.wire import Command, new_id, now_iso


def _command(action: str, command_id: str) -> Command:
    return Command(msg_id=new_id(), device_id="k01", sent_at=now_iso(), command_id=command_id, action=action,
                   expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds"))


def test_a_command_published_again_is_answered_not_redone(edge_config, monkeypatch):
    import edge.agent
    from edge.agent import Agent

    cfg = edge_config()
    agent = Agent(cfg)
    answers, pruned, restarts = [], [], []
    monkeypatch.setattr(agent, "_answer", lambda msg, ok, detail: answers.append((msg.command_id, ok, detail)))
    monkeypatch.setattr(agent.spool, "prune", lambda older_than_s: pruned.append(older_than_s) or 0)
    monkeypatch.setattr(edge.agent.threading, "Timer", lambda *a: restarts.append(a) or _NoTimer())
    agent._on_command(_command("prune_spool", "c1"))
    agent._on_command(_command("prune_spool", "c1"))
    agent._on_command(_command("prune_spool", "c2"))
    assert pruned == [0, 0]
    assert answers[1] == ("c1", True, "already done")
    agent._on_command(_command("restart", "r1"))
    assert len(restarts) == 1
    agent.spool.close()
    # The restart command is published again after the restart it caused: it stays done.
    again = Agent(cfg)
    monkeypatch.setattr(again, "_answer", lambda msg, ok, detail: answers.append((msg.command_id, ok, detail)))
    again._on_command(_command("restart", "r1"))
    assert answers[-1] == ("r1", True, "already done")
    assert len(restarts) == 1
    again.spool.close()


class _NoTimer:
    def start(self) -> None:
        pass
