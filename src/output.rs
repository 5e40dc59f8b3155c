//! Lines to stdout and stderr that never stop the tool. `println!` panics when the reader went
//! away (`… | head -1`, a closed log pipe); between turning the triggers off and back on that
//! panic would leave them off. A line nobody can read is dropped instead.

use std::fmt;
use std::io::Write;

/// Writes one line to stdout (results: the state, JSON, help); a write error is ignored.
pub fn out(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Writes one line to stderr (progress, annotations, errors); a write error is ignored.
pub fn err(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
