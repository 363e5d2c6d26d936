//! `charter time add|between`: business-time arithmetic on a policy's calendar.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use crate::check::Policy;
use crate::cli::{Failure, load_and_check};
use crate::time::{Calendar, Span};

/// `charter time` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a duration to an instant: `charter time add --policy P --calendar office --from T "3 working days"`.
    Add {
        #[command(flatten)]
        on: On,
        /// The start, RFC 3339 with an offset (e.g. 2026-11-20T17:45:00+08:00).
        #[arg(long)]
        from: String,
        /// The duration, e.g. "3 working days", "2 working hours", "30 minutes", "5 days".
        duration: String,
    },
    /// The elapsed and working time between two instants.
    Between {
        #[command(flatten)]
        on: On,
        /// The first instant (RFC 3339).
        a: String,
        /// The second instant (RFC 3339).
        b: String,
    },
}

/// The policy and calendar to compute on.
#[derive(clap::Args)]
pub struct On {
    /// The policy (a file or folder).
    #[arg(long)]
    policy: PathBuf,
    /// The calendar's name (default: the policy's default calendar).
    #[arg(long)]
    calendar: Option<String>,
}

pub(crate) fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Add { on, from, duration } => {
            let (calendar, _) = calendar(&on)?;
            let from = instant(&from)?;
            let span: Span = duration
                .parse()
                .map_err(|e: crate::time::SpanParseError| Failure::Usage(e.to_string()))?;
            let at = calendar
                .add(from, span)
                .map_err(|e| Failure::Usage(e.to_string()))?;
            say!("{}", calendar.format(at));
            Ok(())
        }
        Command::Between { on, a, b } => {
            let (calendar, _) = calendar(&on)?;
            let (a, b) = (instant(&a)?, instant(&b)?);
            let working = calendar
                .open_between(a.min(b), a.max(b))
                .map_err(|e| Failure::Usage(e.to_string()))?;
            say!("from     {}", calendar.format(a.min(b)));
            say!("to       {}", calendar.format(a.max(b)));
            say!("elapsed  {}", hm((a - b).abs()));
            say!("working  {}", hm(working));
            Ok(())
        }
    }
}

fn hm(secs: i64) -> String {
    format!(
        "{}h{:02}m ({} minutes)",
        secs / 3600,
        (secs % 3600) / 60,
        secs / 60
    )
}

fn instant(text: &str) -> Result<i64, Failure> {
    DateTime::<FixedOffset>::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|e| Failure::Usage(format!("`{text}` is not an RFC 3339 time with an offset ({e}); write e.g. 2026-11-20T17:45:00+08:00")))
}

fn calendar(on: &On) -> Result<(std::sync::Arc<Calendar>, Policy), Failure> {
    let (loaded, checked) = load_and_check(&on.policy)?;
    if checked.has_errors() {
        return Err(Failure::policy(
            &on.policy,
            checked.diagnostics,
            &loaded.sources,
        ));
    }
    let policy = checked
        .versions
        .into_iter()
        .last()
        .ok_or_else(|| Failure::Usage(format!("`{}` holds no policy", on.policy.display())))?;
    let index = match &on.calendar {
        Some(name) => policy
            .calendars
            .iter()
            .position(|c| &c.named.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = policy
                    .calendars
                    .iter()
                    .map(|c| c.named.name.as_str())
                    .collect();
                Failure::Usage(format!(
                    "no calendar `{name}` in the policy; its calendars: {}",
                    names.join(", ")
                ))
            })?,
        None => policy.default_calendar.ok_or_else(|| {
            Failure::Usage("the policy has no default calendar; pass --calendar NAME".into())
        })?,
    };
    Ok((policy.calendars[index].calendar.clone(), policy))
}
