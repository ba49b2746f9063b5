//! From an export file to prepared items: read → transform → validate, one record at a
//! time. Both the dry run and the import consume this stream; the import engine itself
//! never sees readers or transformers.

pub mod dedup;
pub mod fit;
pub mod parallel;
pub mod summary;

use std::path::Path;

use crate::source::{self, Format, Position, ReadOptions, ReadStats, SourceError};
use crate::transform::{self, TransformContext, TransformerKind};
use crate::user::{self, Prepared, Problem, ValidateOptions};

pub use summary::PlanSummary;

/// One record, ready to send or not.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Ready {
        position: Position,
        prepared: Box<Prepared>,
    },
    Invalid {
        position: Position,
        /// The source ID when the record has one.
        user_id: Option<String>,
        problems: Vec<Problem>,
    },
    /// Left out on purpose because the source says it is no user to migrate.
    Skipped {
        position: Position,
        user_id: Option<String>,
        reason: &'static str,
    },
}

impl Item {
    pub fn position(&self) -> Position {
        match self {
            Self::Ready { position, .. }
            | Self::Invalid { position, .. }
            | Self::Skipped { position, .. } => *position,
        }
    }

    /// The source user ID, or `row-N` when the record has none (as the reference logs it).
    pub fn user_id(&self) -> String {
        match self {
            Self::Ready { prepared, .. } => prepared.external_id.clone(),
            Self::Invalid {
                user_id: Some(id), ..
            }
            | Self::Skipped {
                user_id: Some(id), ..
            } => id.clone(),
            Self::Invalid { position, .. } | Self::Skipped { position, .. } => {
                format!("row-{}", position.row)
            }
        }
    }
}

/// How to prepare a file.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    pub transformer: TransformerKind,
    pub format: Option<Format>,
    pub context: TransformContext,
    pub validate: ValidateOptions,
}

/// Prepared items of one file, each with the source fields no mapping used. A record
/// repeating an earlier one's identifier comes out invalid (`duplicate_in_file`).
pub struct Items {
    reader: source::RecordReader,
    options: PrepareOptions,
    duplicates: Duplicates,
}

/// Finds records that repeat an earlier record's identifier, in file order.
#[derive(Default)]
pub struct Duplicates {
    seen: dedup::Seen,
    marks: Vec<dedup::Mark>,
    scratch: String,
}

impl Duplicates {
    /// `item`, or an invalid one when it repeats an identifier of an earlier ready record.
    pub fn check(&mut self, item: Item) -> Item {
        let Item::Ready { position, prepared } = &item else {
            return item;
        };
        let mut marks = std::mem::take(&mut self.marks);
        dedup::marks(prepared, &mut marks, &mut self.scratch);
        let problem = self.check_given(&marks, position.row);
        self.marks = marks;
        match problem {
            Some(problem) => Item::Invalid {
                position: *position,
                user_id: Some(prepared.external_id.clone()),
                problems: vec![problem],
            },
            None => item,
        }
    }

    /// The problem of the record at `row` whose identifiers' fingerprints are `marks` (made
    /// here, or by the parallel dry run's workers), if it repeats an earlier one's.
    pub fn check_given(&mut self, marks: &[dedup::Mark], row: u64) -> Option<Problem> {
        self.seen
            .check(marks, row)
            .map(|(kind, first)| dedup::problem(kind, first))
    }
}

/// Refuses a file that holds no user at all (nothing, `[]`, a CSV header alone) before
/// anything is asked of the instance.
pub fn require_records(
    path: &Path,
    format: Option<Format>,
    transformer: TransformerKind,
) -> Result<(), SourceError> {
    let format = Format::detect(path, format);
    let read = ReadOptions {
        format,
        firebase_csv: transformer == TransformerKind::Firebase && format == Some(Format::Csv),
    };
    // A file that cannot be opened as its format (empty, binary, unknown) is refused
    // here too, before any call; errors inside records are the real pass's to name.
    let mut reader = source::open(path, &read)?;
    let header = reader.header().map(<[String]>::to_vec);
    if reader.next().is_none() {
        // A header the transformer does not fit says more than "no users".
        fit::check(path, &read, header.as_deref(), transformer)?;
        return Err(SourceError {
            path: path.to_owned(),
            kind: source::SourceErrorKind::NoUsers,
        });
    }
    Ok(())
}

/// Opens `path` and prepares its records lazily.
pub fn prepare(path: &Path, options: PrepareOptions) -> Result<Items, SourceError> {
    let format = Format::detect(path, options.format);
    let read = ReadOptions {
        format,
        firebase_csv: options.transformer == TransformerKind::Firebase
            && format == Some(Format::Csv),
    };
    let reader = source::open(path, &read)?;
    fit::check(path, &read, reader.header(), options.transformer)?;
    Ok(Items {
        reader,
        options,
        duplicates: Duplicates::default(),
    })
}

impl Items {
    /// What the reader noticed (complete once exhausted).
    pub fn read_stats(&self) -> ReadStats {
        self.reader.stats()
    }
}

/// Transforms and validates one record.
pub fn prepare_record(record: source::Record, options: &PrepareOptions) -> (Item, Vec<String>) {
    let position = record.position;
    let draft = transform::transform(options.transformer, record, &options.context);
    let mut problems = draft.problems;
    let user_id = draft.user.user_id.clone();
    if let Some(reason) = draft.skip {
        let item = Item::Skipped {
            position,
            user_id,
            reason,
        };
        return (item, draft.ignored);
    }
    let item = match user::validate(draft.user, options.validate) {
        Ok(prepared) if problems.is_empty() => Item::Ready {
            position,
            prepared: Box::new(prepared),
        },
        Ok(_) => Item::Invalid {
            position,
            user_id,
            problems,
        },
        Err(more) => {
            problems.extend(more);
            Item::Invalid {
                position,
                user_id,
                problems,
            }
        }
    };
    (item, draft.ignored)
}

impl Iterator for Items {
    type Item = Result<(Item, Vec<String>), SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = match self.reader.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let (item, ignored) = prepare_record(record, &self.options);
        Some(Ok((self.duplicates.check(item), ignored)))
    }
}
