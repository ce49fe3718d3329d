"""save / load (being built)."""


def save(obj: object, path: str) -> None:
    raise NotImplementedError


def load(path: str) -> object:
    raise NotImplementedError
