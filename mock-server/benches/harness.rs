//! `make bench`: placeholder replaced below.
fn main() {}
