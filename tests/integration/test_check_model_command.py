"""labsim check-model's plumbing, cheaply: the table it prints and the seeds it refuses (its rows: tests/statistical)."""

from sim.cli import main


def test_check_model_command_prints_the_table(capsys, monkeypatch):
    # a cheap run of the command's plumbing; the facts themselves: tests/statistical/test_check_model.py
    import sim.validation as v

    monkeypatch.setattr(v, "CHECKS", (v.calibration,))
    code = main(["check-model", "--seeds", "2", "--network-seeds", "2"])
    out = capsys.readouterr().out
    assert "open: occasional users" in out and "tolerance" in out
    assert code in (0, 1)
    assert "checks pass" in out


def test_check_model_refuses_too_few_seeds(capsys):
    assert main(["check-model", "--seeds", "1"]) == 2
    assert "--seeds" in capsys.readouterr().err
