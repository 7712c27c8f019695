//! Test and coverage report parsers.
