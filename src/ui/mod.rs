//! Everything people see: output streams, prompts, progress and summaries.

pub mod printer;
pub mod progress;
pub mod prompt;
pub mod report;
pub mod safe;
pub mod summary;

pub use printer::Printer;

/// A span of time as people say it: "45 s", "12 min", "3 h 20 min".
pub fn duration_words(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs.div_ceil(60)),
        _ => {
            let minutes = secs.div_ceil(60);
            match minutes % 60 {
                0 => format!("{} h", minutes / 60),
                m => format!("{} h {m} min", minutes / 60),
            }
        }
    }
}

pub use prompt::TerminalPrompter;

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(super::duration_words(45), "45 s");
        assert_eq!(super::duration_words(61), "2 min");
        assert_eq!(super::duration_words(3600), "1 h");
        assert_eq!(super::duration_words(12_000), "3 h 20 min");
    }
}
