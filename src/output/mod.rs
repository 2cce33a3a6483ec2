//! What the terminal shows: the progress bar and the ranked table.

pub mod progress;
pub mod table;
