//! What every engine that sends work to Clerk shares (import, delete, and the engines to
//! come): a way to be asked to stop, the retry line of the log, and failures tallied for
//! the report. Neutral ground, so no engine reaches into another's room.

pub mod retry;
pub mod stop;
pub mod tally;

pub use retry::retry_line;
pub use stop::Stop;
pub use tally::ErrorTally;
