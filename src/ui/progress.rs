//! Reporters: an indicatif bar on a terminal, plain lines every 10 % otherwise.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::event::{Event, Reporter};
use crate::ledger::Status;

/// What the counted work is, which decides the counters shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Job {
    #[default]
    Import,
    Delete,
}

#[derive(Default)]
struct Counts {
    work: Job,
    done: u64,
    ok: u64,
    exists: u64,
    failed: u64,
    invalid: u64,
    skipped: u64,
    deleted: u64,
    gone: u64,
}

impl Counts {
    fn new(work: Job) -> Self {
        Self {
            work,
            ..Self::default()
        }
    }

    fn add(&mut self, status: Status) {
        self.done += 1;
        match status {
            Status::Success => self.ok += 1,
            Status::AlreadyExists => self.exists += 1,
            Status::Error => self.failed += 1,
            Status::Fail => self.invalid += 1,
            Status::Skipped => self.skipped += 1,
            Status::Deleted => self.deleted += 1,
            Status::NotFound => self.gone += 1,
            _ => {}
        }
    }

    fn line(&self) -> String {
        match self.work {
            Job::Import => format!(
                "ok {} · exists {} · failed {} · invalid {} · skipped {}",
                self.ok, self.exists, self.failed, self.invalid, self.skipped
            ),
            // A delete "skips" users changed since the import: it leaves them alone.
            Job::Delete => format!(
                "deleted {} · already gone {} · left alone {} · failed {}",
                self.deleted, self.gone, self.skipped, self.failed
            ),
        }
    }
}

/// The reporter that suits the output: none with `--json`, a bar on a terminal, plain
/// lines otherwise.
pub fn reporter_for(printer: &super::Printer) -> std::sync::Arc<dyn Reporter> {
    reporter_for_work(printer, Job::Import)
}

/// The same, counting `work`'s outcomes.
pub fn reporter_for_work(printer: &super::Printer, work: Job) -> std::sync::Arc<dyn Reporter> {
    if printer.is_json() || printer.is_quiet() {
        std::sync::Arc::new(crate::event::Silent)
    } else if printer.stderr_is_terminal() {
        std::sync::Arc::new(BarReporter::new(printer.is_verbose(), work))
    } else {
        std::sync::Arc::new(PlainReporter::new(printer.is_verbose(), work))
    }
}

/// The line for a refused user with `--verbose`; without it, refusals are only counted
/// and grouped in the summary (no personal data on the terminal).
fn refused_line(verbose: bool, event: &Event) -> Option<String> {
    let Event::Refused {
        user_id,
        contact,
        message,
    } = event
    else {
        return None;
    };
    verbose.then(|| match contact {
        Some(c) => format!("refused: {user_id} <{c}>: {message}"),
        None => format!("refused: {user_id}: {message}"),
    })
}

/// A progress bar with counts, rate and ETA on stderr.
pub struct BarReporter {
    bar: ProgressBar,
    counts: Mutex<Counts>,
    verbose: bool,
}

impl BarReporter {
    pub fn new(verbose: bool, work: Job) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} users · {per_sec} · ETA {eta} · {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Self {
            bar,
            counts: Mutex::new(Counts::new(work)),
            verbose,
        }
    }
}

impl BarReporter {
    /// A line above the bar. indicatif drops `println` on a bar it hides (a terminal it
    /// cannot draw on, e.g. TERM=dumb), so such lines go straight to stderr.
    fn line(&self, text: String) {
        let text = super::safe::escape(&text).into_owned();
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }
}

impl Reporter for BarReporter {
    fn report(&self, event: &Event) {
        match event {
            Event::Started { total, .. } => self.bar.set_length(*total),
            Event::Settled { status } => {
                let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
                c.add(*status);
                self.bar.set_message(c.line());
                self.bar.inc(1);
            }
            Event::Paused { wait } => self.line(format!(
                "rate limited by Clerk: all workers wait {:.1}s",
                wait.as_secs_f64()
            )),
            Event::Warning { user_id, message } => {
                self.line(format!("warning: {user_id}: {message}"))
            }
            Event::Stopping => self
                .line("stopping: finishing the requests in flight (Ctrl-C again to abort)".into()),
            Event::Refused { .. } => {
                if let Some(line) = refused_line(self.verbose, event) {
                    self.line(line);
                }
            }
            Event::Progress { done } => self.bar.set_position(*done),
            Event::Finished => self.bar.finish_and_clear(),
            Event::Retrying { .. } => {}
        }
    }
}

impl Drop for BarReporter {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A plain line every 10 %, for logs and pipes.
pub struct PlainReporter {
    state: Mutex<(u64, u64, Counts)>,
    verbose: bool,
}

impl PlainReporter {
    pub fn new(verbose: bool, work: Job) -> Self {
        Self {
            state: Mutex::new((0, 0, Counts::new(work))),
            verbose,
        }
    }
}

impl Reporter for PlainReporter {
    fn report(&self, event: &Event) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (total, next_decile, counts) = &mut *guard;
        match event {
            Event::Started { total: t, .. } => *total = *t,
            Event::Settled { status } => {
                counts.add(*status);
                if let Some(decile) = (counts.done * 10).checked_div(*total)
                    && decile > *next_decile
                {
                    *next_decile = decile;
                    // A line per tenth at most, each with the exact share done.
                    eprintln!(
                        "{}% · {}/{} users · {}",
                        counts.done * 100 / *total,
                        counts.done,
                        total,
                        counts.line()
                    );
                }
            }
            Event::Paused { wait } => eprintln!(
                "rate limited by Clerk: all workers wait {:.1}s",
                wait.as_secs_f64()
            ),
            Event::Warning { user_id, message } => eprintln!(
                "{}",
                super::safe::escape(&format!("warning: {user_id}: {message}"))
            ),
            Event::Stopping => {
                eprintln!("stopping: finishing the requests in flight (Ctrl-C again to abort)")
            }
            Event::Refused { .. } => {
                if let Some(line) = refused_line(self.verbose, event) {
                    eprintln!("{}", super::safe::escape(&line));
                }
            }
            Event::Progress { done } if done % 10_000 == 0 => eprintln!("{done} users"),
            Event::Retrying { .. } | Event::Finished | Event::Progress { .. } => {}
        }
    }
}
