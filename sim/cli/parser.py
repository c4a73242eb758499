"""labsim's argument parser: one-line errors, and commands, choices and flags checked by labsim itself.

Argparse's own error text is English prose that changes between Python versions (3.14
prints choices unquoted), so labsim never reads it back: an unknown command, an unknown
choice and an unknown flag are found by labsim's own checks, with a "did you mean" from
difflib, before or instead of argparse's. What argparse does report (a missing argument,
a value that its type refuses) is passed on as is, on one line.

Only argparse's public interface is used: `add_argument` returns the option it adds,
which is how every parser keeps the list of its options (`options`) and of its
sub-commands (`commands`) for the checks, the limits shown in the help and the tests.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Iterable, Sequence

from sim.errors import LabsimError

ASKS_FOR_HELP = ("--help", "--version")  # argparse answers these (and -h) first: no command need follow


def shown(text: str, limit: int = 40) -> str:
    """An argument echoed in a message, cut short (a 5,000-digit seed is not printed back)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...") + f" ({len(text)} characters)"


def unknown(what: str, got: str, allowed: Sequence[str]) -> str:
    """The message for a word that is not one of `allowed`, with the nearest first (difflib), e.g. 'rnu' -> 'run'."""
    near = difflib.get_close_matches(got, list(allowed), n=1, cutoff=0.6)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return f"unknown {what} {shown(got)}{hint}; allowed: {', '.join(allowed)}"


class ChoiceError(Exception):
    """A value refused by one of labsim's own argument types, with the message to show (see `choice`).

    Not an ArgumentTypeError, whose message argparse would wrap in its own words:
    the parser that was parsing catches it and reports it as is.
    """


def choice(option: str, allowed: Sequence[str]) -> Callable[[str], str]:
    """An argparse type: one of `allowed`, or "unknown --option value 'x' (did you mean ...); allowed: ..."."""

    def parse(text: str) -> str:
        if text not in allowed:
            raise ChoiceError(unknown(f"{option} value", text, allowed))
        return text

    parse.metavar = "{" + ",".join(allowed) + "}"
    return parse


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (LabsimError, exit status 2), checked by labsim.

    It keeps what it was given: `options` (every argument added, its parents' too),
    `commands` (its sub-commands' parsers by name), `handlers` (what runs each) and, for
    a sub-command, `summary` (its one-line help).
    """

    def __init__(self, *args, parents: Iterable[Parser] = (), **kwargs) -> None:
        """Keep the parents' options too (argparse copies them without calling `add_argument`)."""
        parents = list(parents)
        self.options: list[argparse.Action] = [o for p in parents for o in getattr(p, "options", ())]
        self.commands: dict[str, Parser] = {}
        self.handlers: dict[str, Callable] = {}
        self.command_dest: str | None = None
        self.command_word = "command"
        self.summary = ""
        super().__init__(*args, parents=parents, **kwargs)

    def add_argument(self, *names, **kwargs) -> argparse.Action:
        """Add an option; a type with `limits` (e.g. "2 to 10,000") has them appended to the help."""
        kind = kwargs.get("type")
        if getattr(kind, "metavar", None) and "metavar" not in kwargs:
            kwargs["metavar"] = kind.metavar
        action = super().add_argument(*names, **kwargs)
        limits = getattr(action.type, "limits", None)
        if limits and action.help and limits not in action.help:
            help_ = action.help
            action.help = f"{help_[:-1]}; allowed: {limits})" if help_.endswith(")") else f"{help_} (allowed: {limits})"
        self.options.append(action)
        return action

    def add_commands(self, dest: str, metavar: str | None = None) -> Commands:
        """The sub-commands of this parser (required), named in errors as `command` or as '<metavar> value'."""
        self.command_dest = dest
        self.command_word = "command" if metavar is None else f"{metavar} value"
        action = self.add_subparsers(dest=dest, required=True, parser_class=Parser, metavar=metavar)
        return Commands(self, action)

    def error(self, message: str):
        """One line, not the usage block: argparse's message passed on as is, or labsim's own."""
        raise LabsimError(f"{self.prog}: {message} (see {self.prog} --help)")

    def parse_known_args(self, args: Sequence[str] | None = None, namespace=None):
        """Check the sub-command word first (labsim's check, not argparse's), then parse."""
        args = list(sys.argv[1:] if args is None else args)
        self._check_command(args)
        try:
            return super().parse_known_args(args, namespace)
        except ChoiceError as exc:  # one of labsim's own types refused a value
            self.error(str(exc))

    def parse_args(self, args: Sequence[str] | None = None, namespace=None):
        """Parse, then refuse what no option took, with the nearest option of the command as a hint."""
        found, extra = self.parse_known_args(args, namespace)
        if extra:
            names = {s.lstrip("-"): s for o in self.parser_of(found).options for s in o.option_strings}
            flag = next((e.split("=")[0].lstrip("-") for e in extra if e.startswith("--")), None)
            near = difflib.get_close_matches(flag, list(names), n=1, cutoff=0.6) if flag else []
            hint = f" (did you mean '{names[near[0]]}'?)" if near else ""
            self.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
        return found

    def parser_of(self, found: argparse.Namespace) -> Parser:
        """The parser of the (sub-)command that parsed `found`, e.g. `log describe`'s."""
        parser = self
        while parser.commands and getattr(found, parser.command_dest or "", None) in parser.commands:
            parser = parser.commands[getattr(found, parser.command_dest)]
        return parser

    def _check_command(self, args: list[str]) -> None:
        """An unknown sub-command is refused with the nearest one, before argparse reads the words."""
        if not self.commands:
            return
        for at, word in enumerate(args):
            if word.startswith("-") and word != "--":
                if word == "-h" or (word.startswith("--") and len(word) > 2 and
                                    any(name.startswith(word) for name in ASKS_FOR_HELP)):
                    return  # argparse prints the help or the version and exits
                continue
            if word not in self.commands:
                self.error(unknown(self.command_word, word, list(self.commands)))
            self.commands[word]._check_command(args[at + 1:])  # e.g. `log descrbe`
            return


class Commands:
    """A parser's sub-commands, as handed to each command module's `add_parser(sub)`."""

    def __init__(self, parser: Parser, action) -> None:
        """Wrap argparse's sub-parsers action, so that every sub-command is known to labsim's checks."""
        self.parser, self._action = parser, action

    def add_parser(self, name: str, help: str, parents: Iterable[Parser] = ()) -> Parser:
        """A new sub-command: its parser, with the options of `parents` (see sim.cli.options)."""
        parser = self._action.add_parser(name, help=help, parents=list(parents))
        parser.summary = help  # the one line --help shows for it (and a generated command reference)
        self.parser.commands[name] = parser
        return parser
