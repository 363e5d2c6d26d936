//! `charter decide`: one case as JSON (or its explanation), or a batch of NDJSON cases.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::Failure;
use crate::decide::batch::{BatchOptions, Input, run_batch, run_batch_with, run_csv_batch};
use crate::decide::{Case, Decision, Engine};
use crate::diff::{Counterfactuals, Explainer};
use crate::render::Lang;

/// A single case file may be at most this big.
const MAX_CASE: u64 = 16 << 20;

/// Arguments of `charter decide`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  charter decide --policy policies/complaint-office --now 2026-11-24T12:00:00+08:00 examples/cases/complaint-office/accepted-phone.json
  charter decide --policy policies/complaint-office --explain examples/cases/complaint-office/breached-resolve.toml
  charter decide --policy policies/complaint-office --batch cases.ndjson > decisions.ndjson
  cat case.json | charter decide --policy policies/complaint-office -
  charter decide --policy policies/complaint-office --counterfactuals --why-not office_director case.json

Exit codes: 0 decided; 1 the policy or the case has errors, or the case is accepted but no rule
can route it (an attribute a rule needs is missing, or no rule matches and there is no
`otherwise`: the decision is still written, and stderr says why); 2 usage or I/O error.")]
pub struct Args {
    /// The policy (a file, or a folder holding one or more versions).
    #[arg(long)]
    policy: PathBuf,
    /// The instant to evaluate states at (RFC 3339 with an offset); default: now.
    #[arg(long)]
    now: Option<String>,
    /// Print the readable trace of the decision instead of its JSON.
    #[arg(long, conflicts_with = "batch")]
    explain: bool,
    /// Read NDJSON (one case per line) and write one decision or error record per line, in
    /// input order.
    #[arg(long)]
    batch: bool,
    /// With --batch: the input format (default: `csv` for a `.csv` file, else NDJSON).
    #[arg(long, value_enum, requires = "batch")]
    input: Option<InputFormat>,
    /// Add `counterfactuals` to each decision: the single facts that would route the case
    /// elsewhere, the latest stop that would have met each breached target, and when each
    /// running target breaches and which escalation steps fire. `--explain` always prints
    /// them.
    #[arg(long)]
    counterfactuals: bool,
    /// Also say why the case did not go to this role (implies --counterfactuals).
    #[arg(long, value_name = "ROLE")]
    why_not: Option<String>,
    /// Leave out `decision_id` and `input_digest`, so that the same case and instant give the
    /// same bytes (for tests, snapshots and diffs of outputs).
    #[arg(long)]
    no_id: bool,
    /// The language of the counterfactuals' words and role titles.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// The case: a `.json` or `.toml` file, or `-` for standard input.
    case: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Zh,
    En,
}

/// Batch input formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    /// One JSON case per line.
    Ndjson,
    /// One case per row; columns as in docs/decide.md.
    Csv,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let now = crate::cli::instant_option("--now", args.now.as_deref())?;
    let engine = crate::cli::engine(&args.policy)?;
    if args.batch {
        let csv = match args.input {
            Some(format) => format == InputFormat::Csv,
            None => args.case.ends_with(".csv"),
        };
        let asked = Asked::of(&args);
        return batch(&engine, &args.case, now, csv, !args.no_id, asked.as_ref());
    }
    let (text, name) = read_case(&args.case)?;
    let toml = name.ends_with(".toml") || (args.case == "-" && !text.trim_start().starts_with('{'));
    let parsed = if toml {
        Case::from_toml(&text)
    } else {
        Case::from_json(&text)
    };
    let case = match parsed {
        Ok(case) => case,
        Err(e) => {
            return Err(Failure::Input {
                code: Some(e.code.code()),
                message: format!("{name}:{e}"),
            });
        }
    };
    let mut decision = match engine.decide(&case, now) {
        Ok(d) => d,
        Err(e) => {
            return Err(Failure::Input {
                code: Some(e.code().code()),
                message: format!("{name}: {e}"),
            });
        }
    };
    if !args.no_id {
        crate::record::stamp(&mut decision, &case).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let asked = Asked::of(&args);
    let asked = match (asked, args.explain) {
        (None, true) => Some(Asked::explaining(&args)),
        (asked, _) => asked,
    };
    let what_if = match &asked {
        Some(asked) => Some(asked.prepare(&engine).of_decision(&case, &decision)?),
        None => None,
    };
    let mut stdout = std::io::stdout().lock();
    let written = if args.explain {
        let mut text = decision.explain_text();
        if let Some(what_if) = &what_if {
            text.push_str(&what_if_text(
                what_if,
                asked.as_ref().map_or(Lang::En, |a| a.lang),
            ));
        }
        stdout.write_all(text.as_bytes())
    } else {
        // The one writer of decisions (as the batch and the service write them), indented.
        let mut compact = Vec::new();
        decision.write_json(&mut compact);
        if let Some(what_if) = &what_if {
            append(&mut compact, what_if);
        }
        let mut pretty = Vec::new();
        crate::decide::indent(&compact, &mut pretty);
        pretty.push(b'\n');
        stdout.write_all(&pretty)
    };
    let done = match decision.unrouted() {
        // A decision that routes the case nowhere is written, and fails the run.
        Some(why) => Err(Failure::Input {
            code: Some(crate::decide::Code::Unrouted.code()),
            message: format!("{name}: case `{}` is not routed: {}", case.id, why.message),
        }),
        None => Ok(()),
    };
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => done,
        Err(e) => Err(Failure::Usage(format!("cannot write the decision: {e}"))),
        Ok(()) => done,
    }
}

fn read_case(path: &str) -> Result<(String, String), Failure> {
    let mut bytes = Vec::new();
    let name = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_CASE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
        "<stdin>".to_string()
    } else {
        let file = std::fs::File::open(Path::new(path))
            .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_CASE {
            return Err(unreadable(format!(
                "{path}: the file is {:.1} MB; a case file holds one case (at most {} MB). For many cases, write one per line and use --batch",
                size as f64 / 1e6,
                MAX_CASE >> 20
            )));
        }
        file.take(MAX_CASE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?;
        path.to_string()
    };
    if bytes.len() as u64 > MAX_CASE {
        return Err(unreadable(format!(
            "{name}: more than {} MB were read; a case file holds one case. For many cases use --batch",
            MAX_CASE >> 20
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column, at) = crate::source::not_utf8_place(&e);
        unreadable(format!(
            "{name}:{line}:{column}: the byte at offset {at} is not UTF-8; save the case as UTF-8"
        ))
    })?;
    Ok((text, name))
}

/// A case file that cannot be read as a case (`C0001`): too large, or not UTF-8.
fn unreadable(message: String) -> Failure {
    Failure::Input {
        code: Some(crate::decide::Code::Unreadable.code()),
        message,
    }
}

/// What was asked of counterfactuals.
struct Asked {
    why_not: Option<String>,
    lang: Lang,
}

impl Asked {
    /// `None` when neither --counterfactuals nor --why-not is given.
    fn of(args: &Args) -> Option<Asked> {
        (args.counterfactuals || args.why_not.is_some()).then(|| Asked::explaining(args))
    }

    fn explaining(args: &Args) -> Asked {
        Asked {
            why_not: args.why_not.clone(),
            lang: match args.lang {
                LangArg::Zh => Lang::Zh,
                LangArg::En => Lang::En,
            },
        }
    }

    /// Every version's route table prepared once, for many decisions.
    fn prepare<'e>(&'e self, engine: &'e Engine) -> Prepared<'e> {
        Prepared {
            asked: self,
            explainers: (engine.versions().iter())
                .map(|v| Explainer::new(&v.policy))
                .collect(),
        }
    }
}

/// What was asked, with each version's route table prepared.
struct Prepared<'e> {
    asked: &'e Asked,
    explainers: Vec<Explainer<'e>>,
}

impl Prepared<'_> {
    /// The counterfactuals of a decision, under the version that made it.
    fn of_decision(
        &self,
        case: &Case,
        decision: &Decision<'_>,
    ) -> Result<Counterfactuals, Failure> {
        let explainer = (self.explainers.iter())
            .find(|e| e.policy().digest == decision.policy.digest)
            .ok_or_else(|| Failure::Usage("the deciding version is not in the engine".into()))?;
        explainer
            .explain(
                case,
                decision,
                self.asked.why_not.as_deref(),
                self.asked.lang,
            )
            .map_err(|e| Failure::Usage(format!("--why-not: {e}")))
    }
}

/// Writes the member `,"counterfactuals":…`.
fn member(out: &mut Vec<u8>, what_if: &Counterfactuals) {
    out.extend_from_slice(b",\"counterfactuals\":");
    if serde_json::to_writer(&mut *out, what_if).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// Adds `"counterfactuals": …` to a decision's compact JSON.
fn append(compact: &mut Vec<u8>, what_if: &Counterfactuals) {
    if compact.last() == Some(&b'}') {
        compact.pop();
        member(compact, what_if);
        compact.push(b'}');
    }
}

/// The counterfactuals as the end of an explanation, in `lang`.
fn what_if_text(c: &Counterfactuals, lang: Lang) -> String {
    use std::fmt::Write as _;
    let zh = lang == Lang::Zh;
    let say = |zh_text: &'static str, en: &'static str| if zh { zh_text } else { en };
    let mut out = format!(
        "\n{}\n",
        say("怎样会改变这一决定：", "What would have changed it:")
    );
    let before = out.len();
    for a in &c.route {
        let to = match (&a.role, &a.title) {
            (Some(r), Some(t)) if zh => format!("{t}（{r}）"),
            (Some(r), Some(t)) => format!("{t} ({r})"),
            _ => say("无岗位（没有规则分派）", "no role (no rule would take it)").to_string(),
        };
        let _ = if zh {
            writeln!(out, "  - 若{}（{}）：分派给{to}", a.words, a.condition)
        } else {
            writeln!(out, "  - if {} ({}): routed to {to}", a.words, a.condition)
        };
    }
    for m in &c.breached {
        let stopped = match (&m.stopped_at, zh) {
            (Some(s), false) => format!("stopped at {s}"),
            (Some(s), true) => format!("实际于 {s} 停止"),
            (None, false) => "still open".to_string(),
            (None, true) => "仍未停止".to_string(),
        };
        let _ = match (m.cycle, zh) {
            (Some(k), false) => writeln!(
                out,
                "  - {} cycle {k}: that cycle would have been met had it stopped by {} ({stopped}); the next cycle starts from that stop",
                m.target, m.latest_stop
            ),
            (Some(k), true) => writeln!(
                out,
                "  - {} 第{k}周期：若在 {} 前停止，该周期即达标（{stopped}）；下一周期自该次停止起算",
                m.target, m.latest_stop
            ),
            (None, false) => writeln!(
                out,
                "  - {}: met had it stopped by {} ({stopped})",
                m.target, m.latest_stop
            ),
            (None, true) => writeln!(
                out,
                "  - {}：若在 {} 前停止即达标（{stopped}）",
                m.target, m.latest_stop
            ),
        };
    }
    for r in &c.running {
        let when = r.breaches_at.as_deref().unwrap_or("?");
        let _ = if zh {
            writeln!(
                out,
                "  - {}（{}）：若无进展，将于 {when} 超时",
                r.target, r.state
            )
        } else {
            writeln!(
                out,
                "  - {} ({}): breaches at {when} unless it stops first",
                r.target, r.state
            )
        };
        for s in &r.steps {
            let to = s.to.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
            let _ = if zh {
                let action = if s.action == "notify" {
                    "通知"
                } else {
                    "升级至"
                };
                writeln!(out, "      {} {action}{to}（升级规则 {}）", s.at, s.ladder)
            } else {
                writeln!(
                    out,
                    "      then at {}: {}{to} (ladder {})",
                    s.at, s.action, s.ladder
                )
            };
        }
    }
    if out.len() == before {
        out.push_str(say(
            "  - 改变案件的任何单一事实都不会改变分派，也没有超时或进行中的时限\n",
            "  - no single fact of the case would route it elsewhere, and no target is breached or running\n",
        ));
    }
    if let Some(w) = &c.why_not {
        let _ = if zh {
            writeln!(out, "\n为何未分派给 {}：", w.role)
        } else {
            writeln!(out, "\nWhy not {}:", w.role)
        };
        if w.routed_there {
            let _ = writeln!(
                out,
                "  - {}{}",
                say("案件已分派给 ", "the case is routed to "),
                w.role
            );
        }
        if w.fallback {
            let _ = writeln!(
                out,
                "  - {}",
                say(
                    "该岗位是兜底规则（otherwise）的岗位：接收没有任何规则分派的案件",
                    "it is the `otherwise` fallback's role: it takes the cases no rule takes"
                )
            );
        } else if w.rules.is_empty() {
            let _ = writeln!(
                out,
                "  - {}",
                say(
                    "没有分派规则指向该岗位",
                    "no route rule names it, and it is not the fallback's"
                )
            );
        }
        for r in &w.rules {
            let _ = match (r.unmet.is_empty(), r.taken_first_by, zh) {
                (true, Some(line), false) => writeln!(
                    out,
                    "  - line {} `{}`: the case meets it, but the rule on line {line} took it first",
                    r.line, r.rule
                ),
                (true, Some(line), true) => writeln!(
                    out,
                    "  - 第{}行 `{}`：案件符合，但第{line}行的规则先分派了它",
                    r.line, r.rule
                ),
                (true, None, false) => {
                    writeln!(out, "  - line {} `{}`: the case meets it", r.line, r.rule)
                }
                (true, None, true) => writeln!(out, "  - 第{}行 `{}`：案件符合", r.line, r.rule),
                (false, _, _) => {
                    let unmet: Vec<String> = (r.unmet.iter())
                        .map(|u| match zh {
                            true => format!("{}（{}）", u.words, u.condition),
                            false => format!("{} ({})", u.words, u.condition),
                        })
                        .collect();
                    if zh {
                        writeln!(
                            out,
                            "  - 第{}行 `{}`：未满足 {}",
                            r.line,
                            r.rule,
                            unmet.join("；")
                        )
                    } else {
                        writeln!(
                            out,
                            "  - line {} `{}`: not met: {}",
                            r.line,
                            r.rule,
                            unmet.join("; ")
                        )
                    }
                }
            };
        }
    }
    out
}

fn batch(
    engine: &Engine,
    path: &str,
    now: i64,
    csv: bool,
    ids: bool,
    asked: Option<&Asked>,
) -> Result<(), Failure> {
    let mut input: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::Usage(format!("cannot read `{path}`: {e}")))?,
        )
    };
    let mut output = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |s: &crate::decide::batch::BatchSummary| {
        let elapsed = started.elapsed().as_secs_f64();
        if terminal && elapsed > 2.0 {
            eprint!(
                "\rdecided {} case(s), {} error(s), {:.0} cases/s",
                s.records,
                s.errors,
                s.records as f64 / elapsed
            );
            shown = true;
        }
    };
    if let Some(role) = asked.and_then(|a| a.why_not.as_deref()) {
        let known =
            (engine.versions().iter()).any(|v| v.policy.roles.iter().any(|r| r.named.name == role));
        if !known {
            return Err(Failure::Usage(format!(
                "--why-not: no version of the policy has a role `{role}`"
            )));
        }
    }
    let options = BatchOptions { now };
    let prepared = asked.map(|asked| asked.prepare(engine));
    // The system's random source, if it fails, fails once for the whole batch.
    let random = std::sync::OnceLock::new();
    // Ids and counterfactuals are made on the deciding threads, only when asked for.
    let extra = |case: &Case, decision: &mut Decision<'_>, out: &mut Vec<u8>| {
        if ids && let Err(e) = crate::record::stamp(decision, case) {
            let _ = random.set(e.to_string());
        }
        if let Some(prepared) = &prepared
            && let Ok(what_if) = prepared.of_decision(case, decision)
        {
            member(out, &what_if);
        }
    };
    let ran = if ids || prepared.is_some() {
        let input = if csv {
            Input::Csv(&mut input)
        } else {
            Input::Ndjson(&mut input)
        };
        run_batch_with(engine, input, &mut output, options, &extra, &mut progress)
    } else {
        let run = if csv { run_csv_batch } else { run_batch };
        run(engine, &mut input, &mut output, options, &mut progress)
    };
    if let Some(e) = random.get() {
        return Err(Failure::Usage(e.clone()));
    }
    let summary = match ran {
        Ok(summary) => summary,
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(Failure::Usage(format!("batch from `{path}`: {e}"))),
    };
    if shown {
        eprintln!();
    }
    let report = format!(
        "{} record(s): {} decided, {} error(s) in {:.2} s",
        summary.records,
        summary.decided,
        summary.errors,
        started.elapsed().as_secs_f64()
    );
    if summary.errors > 0 {
        // The error records are in the output, one per failed line.
        return Err(Failure::Gate(report));
    }
    eprintln!("{report}");
    Ok(())
}
