//! SIGINT and SIGTERM, for every command: what a stop leaves behind is decided here.
//! Imports and deletes stop taking work at the first signal and finish what is in
//! flight (a create must not be cut between the request and its log line); exports and
//! verifies drop their work at once, which removes their temporary files, closes their
//! logs as interrupted and releases the lock. A run ends with 130 (SIGINT) or 143
//! (SIGTERM).

use std::future::Future;

use crate::exit::ExitStatus;

static SIGNALLED: std::sync::OnceLock<ExitStatus> = std::sync::OnceLock::new();

/// Waits for SIGINT or SIGTERM and returns the matching status.
pub async fn wait_for_signal() -> ExitStatus {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return ExitStatus::Interrupted;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => ExitStatus::Interrupted,
            _ = term.recv() => ExitStatus::Terminated,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        ExitStatus::Interrupted
    }
}

/// First Ctrl-C or SIGTERM: tell the reporter and stop taking work. Second: leave at once.
pub(crate) fn watch_signals(
    stop: crate::engine::Stop,
    reporter: std::sync::Arc<dyn crate::event::Reporter>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let first = wait_for_signal().await;
        let _ = SIGNALLED.set(first);
        reporter.report(&crate::event::Event::Stopping);
        stop.request();
        let second = wait_for_signal().await;
        std::process::exit(i32::from(second.code()));
    })
}

/// The signal that stopped the run, if one did.
pub(crate) fn signalled() -> Option<ExitStatus> {
    SIGNALLED.get().copied()
}

/// Runs `work` on a thread of its own, handing it a flag that the first signal sets:
/// `work` checks it, stops, and drops what it holds (its temporary files) before the
/// signal's status is returned.
pub(crate) async fn blocking_until_signal<T: Send + 'static>(
    work: impl FnOnce(&std::sync::atomic::AtomicBool) -> T + Send + 'static,
) -> Result<T, ExitStatus> {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let mut task = tokio::task::spawn_blocking(move || work(&flag));
    tokio::select! {
        done = &mut task => done.map_err(|_| ExitStatus::Fatal),
        status = wait_for_signal() => {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = task.await;
            Err(status)
        }
    }
}

/// Runs `work` to its end, or until the first signal: then `work` is dropped, with
/// everything it holds (temporary files, the lock, open logs), and the signal's status
/// is returned.
pub(crate) async fn until_signal<T>(work: impl Future<Output = T>) -> Result<T, ExitStatus> {
    tokio::select! {
        out = work => Ok(out),
        status = wait_for_signal() => Err(status),
    }
}
