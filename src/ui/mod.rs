//! Everything people see: output streams, prompts, progress and summaries.

pub mod printer;
pub mod progress;
pub mod prompt;
pub mod report;
pub mod safe;
pub mod summary;

pub use printer::Printer;
pub use prompt::TerminalPrompter;
