//! Selecting and zipping a build's artifact files.
