"""Errors that the command line turns into one clear line and exit status 2."""


class LabsimError(Exception):
    """A problem with the user's input: a file, a key, an argument.

    The message is meant to be printed as is, on one line per problem, so it
    names the file, the key and what is allowed.
    """

    def __init__(self, problems: str | list[str]):
        """Keep every problem so that `labsim validate` can report them all."""
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
