//! The migration log ("ledger"): NDJSON, one line per outcome, compatible with the
//! reference tool's shapes, plus a header line describing the run.

pub mod entry;
pub mod reader;
pub mod writer;

pub use entry::{Entry, RunHeader, Status};
pub use writer::{LedgerError, LedgerWriter};
