//! `charter doc`: position descriptions, the procedure and the org chart as Markdown, HTML or
//! Word documents.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use crate::check::Policy;
use crate::cli::output::{Replace, write_file};
use crate::cli::{Failure, load_and_check};
use crate::render::{
    Document, Lang, TextFormat, org_chart, position_description, procedure, revisions,
};

/// Arguments shared by every document.
#[derive(clap::Args)]
pub struct Common {
    /// The policy (a file, or a folder; its latest version is documented unless --version).
    #[arg(long)]
    policy: PathBuf,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// The language of headings and labels (content in the form the policy gives).
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Write here (a file; for `role --all`, a folder gets one file per role). Default:
    /// standard output (md and html only).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace files that exist at the -o path (links are never written through).
    #[arg(long)]
    force: bool,
    /// A minijinja template to use instead of the built-in one (md and html); see
    /// docs/documents.md for what it receives.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// A company's Word template (docx): its styles, header and footer replace the built-in
    /// ones; `{{ organisation }}`, `{{ number }}`, `{{ version }}`, `{{ effective }}` and
    /// `{{ title }}` in its header and footer are filled in.
    #[arg(long, value_name = "FILE.docx")]
    reference_docx: Option<PathBuf>,
    /// The policy version to document (default: the latest).
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
}

/// `charter doc …`
#[derive(Subcommand)]
#[command(after_help = "Examples:
  charter doc role --policy policies/complaint-office office_director
  charter doc role --policy policies/led-maker --all --format html -o led-roles.html
  charter doc role --policy policies/led-maker --all --format docx -o roles/
  charter doc procedure --policy policies/renovation --lang en --format docx -o procedure.docx
  charter doc procedure --policy policies/renovation --format docx --reference-docx company.docx -o procedure.docx
  charter doc org-chart --policy policies/complaint-office --format html -o org.html")]
pub enum Command {
    /// A position description (职位说明书), or every one with --all.
    Role {
        #[command(flatten)]
        common: Common,
        /// The role's identifier.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Every role: one document with a page break between roles, or one file per role
        /// when -o is a folder.
        #[arg(long)]
        all: bool,
    },
    /// The procedure document (投诉处理程序): scope, routing, time limits, escalation,
    /// callbacks, reports, steps, a RACI matrix and a flowchart.
    Procedure {
        #[command(flatten)]
        common: Common,
        /// The procedure's identifier (default: the first).
        name: Option<String>,
    },
    /// The organisation chart of the roles, by `reports_to`.
    OrgChart {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown with Mermaid charts.
    Md,
    /// One self-contained HTML page (charts as SVG, print CSS for A4).
    Html,
    /// A Word document.
    Docx,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// 中文
    Zh,
    /// English
    En,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Docx => "docx",
        }
    }
}

pub(crate) fn run(command: Command) -> Result<(), Failure> {
    let common = match &command {
        Command::Role { common, .. }
        | Command::Procedure { common, .. }
        | Command::OrgChart { common } => common,
    };
    let lang = match common.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let template = match &common.template {
        Some(path) if common.format == Format::Docx => {
            return Err(Failure::Usage(format!(
                "{}: templates apply to md and html; a .docx is written from the built-in layout, with a company's styles, header and footer through --reference-docx",
                path.display()
            )));
        }
        Some(path) => Some(
            crate::source::read_regular_text(path, crate::syntax::MAX_FILE).map_err(|e| {
                Failure::Usage(format!("{}: cannot read the template: {e}", path.display()))
            })?,
        ),
        None => None,
    };
    let encoding = Encoding {
        format: common.format,
        template,
        template_path: common.template.clone(),
        #[cfg(feature = "docx")]
        reference: reference(common)?,
    };
    #[cfg(not(feature = "docx"))]
    if common.reference_docx.is_some() {
        return Err(Failure::Usage(
            "this build has no Word output: build with the `docx` feature".into(),
        ));
    }
    let (loaded, checked) = load_and_check(&common.policy)?;
    if checked.has_errors() {
        return Err(Failure::policy(
            &common.policy,
            checked.diagnostics,
            &loaded.sources,
        ));
    }
    let policy = match &common.version {
        Some(v) => checked
            .versions
            .iter()
            .find(|p| &p.version == v)
            .ok_or_else(|| {
                let known: Vec<&str> = checked
                    .versions
                    .iter()
                    .map(|p| p.version.as_str())
                    .collect();
                Failure::Usage(format!(
                    "{}: no version `{v}`; the policy has {}",
                    common.policy.display(),
                    known.join(", ")
                ))
            })?,
        None => checked
            .versions
            .iter()
            .max_by_key(|p| p.effective)
            .ok_or_else(|| {
                Failure::Usage(format!("{}: no policy version", common.policy.display()))
            })?,
    };
    let mut documents: Vec<(String, Document)> = match &command {
        Command::Role { id, all, .. } => {
            if *all {
                (0..policy.roles.len())
                    .map(|i| {
                        (
                            policy.roles[i].named.name.clone(),
                            position_description(policy, i, lang),
                        )
                    })
                    .collect()
            } else {
                let id = id.as_deref().unwrap_or_default();
                let index = role_index(policy, id, &common.policy)?;
                vec![(id.to_string(), position_description(policy, index, lang))]
            }
        }
        Command::Procedure { name, .. } => {
            let index = match name {
                Some(n) => Some(
                    policy
                        .procedures
                        .iter()
                        .position(|p| &p.named.name == n)
                        .ok_or_else(|| {
                            let known: Vec<&str> = policy
                                .procedures
                                .iter()
                                .map(|p| p.named.name.as_str())
                                .collect();
                            Failure::Usage(format!(
                                "{}: no procedure `{n}`; the policy has {}",
                                common.policy.display(),
                                if known.is_empty() {
                                    "none".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ))
                        })?,
                ),
                None => None,
            };
            vec![("procedure".into(), procedure(policy, index, lang))]
        }
        Command::OrgChart { .. } => vec![("org-chart".into(), org_chart(policy, lang))],
    };
    let per_file = matches!(command, Command::Role { all: true, .. })
        && common
            .output
            .as_ref()
            .is_some_and(|o| o.is_dir() || o.to_string_lossy().ends_with('/'));
    // The revision record lists every version up to the one documented.
    for (_, document) in &mut documents {
        if let Some(control) = document.control.as_mut() {
            control.revisions = revisions(&checked.versions, policy, lang);
        }
    }
    if per_file {
        let dir = common.output.clone().unwrap_or_default();
        std::fs::create_dir_all(&dir).map_err(|e| {
            Failure::Usage(format!("{}: cannot create the folder: {e}", dir.display()))
        })?;
        for (name, document) in &documents {
            let path = dir.join(format!("{name}.{}", common.format.extension()));
            let bytes = encoding.encode(document)?;
            write_file(&path, &bytes, replace(common.force))?;
        }
        eprintln!("wrote {} documents to {}", documents.len(), dir.display());
        return Ok(());
    }
    let document = if documents.len() == 1 {
        documents
            .into_iter()
            .next()
            .map(|(_, d)| d)
            .unwrap_or_else(|| Document::bundle(String::new(), lang, Vec::new()))
    } else {
        let title = match lang {
            Lang::Zh => format!("职位说明书汇编（{}）", lang.pick(&policy.label)),
            Lang::En => format!("Position descriptions: {}", lang.pick(&policy.label)),
        };
        Document::bundle(title, lang, documents.into_iter().map(|(_, d)| d).collect())
    };
    let bytes = encoding.encode(&document)?;
    match &common.output {
        Some(path) => write_file(path, &bytes, replace(common.force)),
        None => {
            if common.format == Format::Docx && std::io::stdout().is_terminal() {
                return Err(Failure::Usage(
                    "a .docx is binary: give -o FILE.docx (or redirect standard output)".into(),
                ));
            }
            let mut out = std::io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Failure::Usage(format!("cannot write the document: {e}")))
                }
                _ => Ok(()),
            }
        }
    }?;
    Ok(())
}

fn role_index(policy: &Policy, id: &str, path: &Path) -> Result<usize, Failure> {
    policy.role(id).ok_or_else(|| {
        let names: Vec<&str> = policy.roles.iter().map(|r| r.named.name.as_str()).collect();
        let hint = crate::spelling::nearest(id, names.iter().copied())
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        Failure::Usage(format!(
            "{}: no role `{id}`{hint}; the policy has {}",
            path.display(),
            names.join(", ")
        ))
    })
}

/// How documents are written: the format, a text template, a Word reference.
struct Encoding {
    format: Format,
    template: Option<String>,
    template_path: Option<PathBuf>,
    #[cfg(feature = "docx")]
    reference: Option<(PathBuf, crate::render::Reference)>,
}

/// The Word template of `--reference-docx`, read and checked before any document is made.
#[cfg(feature = "docx")]
fn reference(common: &Common) -> Result<Option<(PathBuf, crate::render::Reference)>, Failure> {
    let Some(path) = &common.reference_docx else {
        return Ok(None);
    };
    if common.format != Format::Docx {
        return Err(Failure::Usage(format!(
            "{}: --reference-docx applies to Word documents; add --format docx",
            path.display()
        )));
    }
    const LIMIT: u64 = 64 << 20;
    let too_large = std::fs::metadata(path).is_ok_and(|m| m.len() > LIMIT);
    if too_large {
        return Err(Failure::Usage(format!(
            "{}: larger than 64 MiB, which no Word template is",
            path.display()
        )));
    }
    let bytes = crate::source::read_regular(path, 64 << 20).map_err(|e| {
        Failure::Usage(format!("{}: cannot read the template: {e}", path.display()))
    })?;
    crate::render::Reference::read(&bytes)
        .map(|r| Some((path.clone(), r)))
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

impl Encoding {
    fn encode(&self, document: &Document) -> Result<Vec<u8>, Failure> {
        let text_format = match self.format {
            Format::Md => TextFormat::Markdown,
            Format::Html => TextFormat::Html,
            Format::Docx => {
                #[cfg(feature = "docx")]
                return crate::render::to_docx(document, self.reference.as_ref().map(|r| &r.1))
                    .map_err(|e| match &self.reference {
                        // An error in the reference's parts names the reference.
                        Some((path, _)) if e.starts_with("its ") => {
                            Failure::Usage(format!("{}: {e}", path.display()))
                        }
                        _ => Failure::Usage(e),
                    });
                #[cfg(not(feature = "docx"))]
                return Err(Failure::Usage(
                    "this build has no Word output: build with the `docx` feature".into(),
                ));
            }
        };
        document
            .render(text_format, self.template.as_deref())
            .map(String::into_bytes)
            .map_err(|e| {
                let place = self.template_path.as_ref().map_or_else(
                    || "the built-in template".to_string(),
                    |p| p.display().to_string(),
                );
                match e.line {
                    Some(line) => Failure::Usage(format!("{place}:{line}: {}", e.message)),
                    None => Failure::Usage(format!("{place}: {}", e.message)),
                }
            })
    }
}

fn replace(force: bool) -> Replace {
    if force {
        Replace::File
    } else {
        Replace::Nothing
    }
}
