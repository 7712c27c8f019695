//! Nothing here: the checks live in `tests/`, this crate only holds their dependencies.
