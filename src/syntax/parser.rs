//! Text -> [`File`]: runs the pest grammar and lowers its pairs to the AST at once, one
//! `lower_<rule>` function per grammar rule. Nothing pest-specific leaves this file.

use chrono::NaiveDate;
use pest::Parser;
use pest::iterators::Pair;

use crate::syntax::ast::*;
use crate::syntax::error::SyntaxError;
use crate::time::{OpenInterval, Span as Duration, Unit};

#[derive(pest_derive::Parser)]
#[grammar = "grammar/charter.pest"]
struct CharterParser;

type P<'a> = Pair<'a, Rule>;

/// One file as far as it parses: the declarations that parsed (a bad statement line left
/// out of its block, a bad declaration left out of the file), and every error.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The declarations that parsed.
    pub file: File,
    /// Every syntax error, in the order of the text (at most
    /// [`MAX_REPORTED`](crate::syntax::MAX_REPORTED), then one that counts the rest).
    pub errors: Vec<SyntaxError>,
    /// The declarations that hold an error: the checker says nothing more about them.
    pub damaged: Vec<Span>,
}

/// Parses one file. Returns the AST, or every syntax error of the file.
///
/// ```
/// use charter::syntax::{parse, FileId};
/// let file = parse(FileId(0), "role clerk \"Clerk\" { headcount 2 }").map_err(|e| format!("{e:?}"))?;
/// assert_eq!(file.items.len(), 1);
/// let errors = parse(FileId(0), "role clerk {").unwrap_err();
/// assert!(!errors.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(file: FileId, text: &str) -> Result<File, Vec<SyntaxError>> {
    let parsed = parse_all(file, text);
    if parsed.errors.is_empty() {
        Ok(parsed.file)
    } else {
        Err(parsed.errors)
    }
}

/// The byte ranges of the labels in `text` (the quoted titles, descriptions and their `en`
/// forms), in order; none when `text` does not parse. What a comparison of two versions sets
/// aside as wording.
pub fn label_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    match CharterParser::parse(Rule::file, text) {
        Ok(pairs) => pairs
            .flatten()
            .filter(|p| p.as_rule() == Rule::label)
            .map(|p| p.as_span().start()..p.as_span().end())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Parses one file, stepping over its errors: every syntax error is reported (one per bad
/// statement line or declaration), and the declarations that parsed are kept for the checker.
pub fn parse_all(file: FileId, text: &str) -> Parsed {
    if let Some(at) = crate::syntax::depth::too_deep(text) {
        let span = Span {
            file,
            start: at as u32,
            end: (at + 1) as u32,
        };
        return Parsed {
            errors: vec![SyntaxError::TooDeep { span }],
            damaged: vec![Span {
                file,
                start: 0,
                end: text.len() as u32,
            }],
            ..Parsed::default()
        };
    }
    let error = match CharterParser::parse(Rule::file, text) {
        Ok(pairs) => return lower(file, pairs, Vec::new(), Vec::new()),
        Err(error) => error,
    };
    let first = grammar_error(file, text, error);
    let at = first.span().start as usize;
    let found = crate::syntax::recover::recover(text, (first, at), |masked, from| {
        let error = CharterParser::parse(Rule::file, &masked[from..]).err()?;
        let mut error = grammar_error(file, &masked[from..], error);
        error.shift(from as u32);
        let at = error.span().start as usize;
        Some((error, at))
    });
    let mut errors = found.errors;
    let starts: Vec<usize> = errors.iter().map(|e| e.span().start as usize).collect();
    let error_at = |index: usize| starts[index];
    for &(index, block) in &found.unclosed {
        if let Some(SyntaxError::Grammar { label, message, .. }) = errors.get_mut(index) {
            let line = text[..block].matches('\n').count() + 1;
            let word: String = (text[block..].chars())
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let found: String = (text[error_at(index)..].chars())
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            *message = format!("the `{word}` block opened on line {line} is not closed");
            *label = Some(format!("expected `}}` before `{found}`"));
        }
    }
    if let Some((at, count)) = found.unreported {
        errors.push(SyntaxError::More {
            span: Span {
                file,
                start: at as u32,
                end: at as u32,
            },
            count,
            cut_short: found.cut_short,
        });
    }
    let damaged = (found.damaged.iter())
        .map(|r| Span {
            file,
            start: r.start as u32,
            end: r.end as u32,
        })
        .collect();
    match CharterParser::parse(Rule::file, &found.text) {
        Ok(pairs) => lower(file, pairs, errors, damaged),
        // The blanked text parses by construction; should it not, the errors found stand.
        Err(_) => Parsed {
            errors,
            damaged,
            ..Parsed::default()
        },
    }
}

/// Lowers the pairs of a parse to the AST; a literal that is not valid is one more error, and
/// its declaration is damaged.
fn lower(
    file: FileId,
    mut pairs: pest::iterators::Pairs<Rule>,
    mut errors: Vec<SyntaxError>,
    mut damaged: Vec<Span>,
) -> Parsed {
    let mut lower = Lower {
        file,
        errors: Vec::new(),
    };
    let items: Vec<Node<Item>> = match pairs.next() {
        Some(root) => root
            .into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| lower.node(&p, |l| l.item(p.clone())))
            .collect(),
        None => Vec::new(),
    };
    for error in &lower.errors {
        let at = error.span().start;
        if let Some(item) = items
            .iter()
            .find(|i| i.span.start <= at && at < i.span.end.max(i.span.start + 1))
        {
            damaged.push(item.span);
        }
    }
    errors.extend(lower.errors);
    errors.sort_by_key(|e| (matches!(e, SyntaxError::More { .. }), e.span().start));
    damaged.sort_by_key(|s| s.start);
    damaged.dedup();
    Parsed {
        file: File { items },
        errors,
        damaged,
    }
}

fn grammar_error(file: FileId, text: &str, error: pest::error::Error<Rule>) -> SyntaxError {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((a, b)) => (a, b),
    };
    // Point at the whole offending token, not just its first byte.
    let token_end = text[start..]
        .find(|c: char| c.is_whitespace() || "{}[](),;\"".contains(c))
        .map_or(text.len(), |n| start + n.max(c_len(&text[start..])));
    let span = Span {
        file,
        start: start as u32,
        end: end.max(token_end) as u32,
    };
    let rest = &text[start..];
    let line_rest = rest.split('\n').next().unwrap_or("");
    if line_rest.starts_with('"') && !line_rest[1..].contains('"') {
        let span = Span {
            file,
            start: start as u32,
            end: (start + line_rest.trim_end().len()) as u32,
        };
        return SyntaxError::Grammar {
            span,
            message: "this string is not closed before the end of the line".into(),
            label: Some("add `\"` where the text ends".into()),
        };
    }
    // A string holding a control character: point at the character, not at the string.
    if let Some(body) = line_rest.strip_prefix('"')
        && let Some((at, c)) = (body.char_indices())
            .take_while(|&(_, c)| c != '"')
            .find(|&(_, c)| c.is_control() && c != '\t')
    {
        let start = start + 1 + at;
        let span = Span {
            file,
            start: start as u32,
            end: (start + c.len_utf8()) as u32,
        };
        return SyntaxError::Grammar {
            span,
            message: format!("this string holds {}", describe_found(&body[at..])),
            label: None,
        };
    }
    let found = describe_found(rest);
    let (message, label) = match error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| rule_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let keywords: Vec<&str> = names
                .iter()
                .filter_map(|n| n.strip_prefix('`').and_then(|n| n.strip_suffix('`')))
                .collect();
            let label = crate::spelling::nearest(&word, keywords.iter().copied())
                .filter(|k| !word.is_empty() && *k != word)
                .map(|k| format!("did you mean `{k}`?"));
            (format!("expected {}, found {found}", one_of(&names)), label)
        }
        ErrorVariant::CustomError { message } => (message, None),
    };
    SyntaxError::Grammar {
        span,
        message,
        label,
    }
}

fn c_len(rest: &str) -> usize {
    rest.chars().next().map_or(0, char::len_utf8)
}

fn describe_found(rest: &str) -> String {
    let token: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect();
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('\n' | '\r') => "the end of the line".to_string(),
        // A space the language does not take as one (a no-break space pasted from a
        // document, say): named, since it looks like any other.
        Some(c) if c.is_whitespace() => format!(
            "the space character U+{:04X}{}, which the language does not take as a space; type an ordinary space",
            c as u32,
            if c == '\u{a0}' {
                " (no-break space)"
            } else {
                ""
            }
        ),
        Some(c) if c.is_control() => format!(
            "the control character U+{:04X}, which cannot be written in a policy; remove it (in a string, write `\\t` or `\\n` for a tab or a line break)",
            c as u32
        ),
        Some(
            c @ ('\u{200C}'
            | '\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{180B}'..='\u{180F}'
            | '\u{E0100}'..='\u{E01EF}'),
        ) => format!(
            "the invisible character U+{:04X}, which cannot be part of a name (two names would look the same); remove it",
            c as u32
        ),
        Some(_) => format!("`{token}`"),
    }
}

fn one_of(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The human name of a grammar rule, for "expected …" messages. Exhaustive on purpose: a new
/// rule must be given a name here.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::WHITESPACE | Rule::COMMENT => "white space",
        Rule::EOI => "the end of the file",
        Rule::file | Rule::item => {
            "a declaration (`policy`, `calendar`, `channel`, `category`, `route`, `sla`, `role`, …)"
        }
        Rule::ident | Rule::ident_char | Rule::invisible | Rule::whom | Rule::keyword => "a name",
        Rule::ident_list => "a list of names",
        Rule::string | Rule::string_inner => "a quoted string",
        Rule::integer => "a whole number",
        Rule::number => "a number",
        Rule::percent => "a percentage like `80%`",
        Rule::date => "a date like `2026-10-01`",
        Rule::month_day => "a month and day like `01-15`",
        Rule::clock_time => "a time like `09:00`",
        Rule::boolean => "`true` or `false`",
        Rule::label => "a label (a quoted string)",
        Rule::lang_form | Rule::lang => "`en \"…\"` or `zh \"…\"`",
        Rule::span => "a duration like `3 working days`",
        Rule::working => "`working`",
        Rule::unit => "a unit (`minutes`, `hours`, `days`)",
        Rule::date_range => "a date or a date range like `2026-10-01..2026-10-07`",
        Rule::interval => "open hours like `09:00-12:00`",
        Rule::hours => "open hours like `09:00-12:00, 13:30-18:00` or `closed`",
        Rule::closed => "`closed`",
        Rule::weekday => "a weekday (`mon` … `sun`)",
        Rule::day_range | Rule::days => "weekdays like `mon..fri`",
        Rule::condition | Rule::disjunct | Rule::unary | Rule::group | Rule::negation => {
            "a condition like `category = billing`"
        }
        Rule::comparison => "a test like `severity >= major`",
        Rule::membership | Rule::k_in => "`in [...]`",
        Rule::containment | Rule::k_contains => "`contains`",
        Rule::relation_test | Rule::compare_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::value => "a value (a name, a number, a string, `true` or `false`)",
        Rule::value_list => "a list like `[a, b]`",
        Rule::when_clause | Rule::k_when => "`when`",
        Rule::k_and => "`and`",
        Rule::k_or => "`or`",
        Rule::k_not => "`not`",
        Rule::k_otherwise | Rule::otherwise => "`otherwise`",
        Rule::policy => "`policy`",
        Rule::policy_stmt => {
            "a policy setting (`version`, `effective`, `timezone`, `locale`, `calendar`, `at_risk`, `fallback`, `satisfaction`, `organisation`, `document`, `changes`)"
        }
        Rule::organisation => "`organisation`",
        Rule::document_no => "`document`",
        Rule::change_note => "`changes`",
        Rule::version => "`version`",
        Rule::effective => "`effective`",
        Rule::timezone => "`timezone`",
        Rule::locale => "`locale`",
        Rule::default_calendar => "`calendar`",
        Rule::at_risk => "`at_risk`",
        Rule::fallback => "`fallback`",
        Rule::fallback_mode => "`allowed` or `forbidden`",
        Rule::satisfaction => "`satisfaction`",
        Rule::import => "`import`",
        Rule::calendar => "`calendar`",
        Rule::calendar_stmt => {
            "a calendar statement (`timezone`, `valid`, `use`, `week`, `holiday`, `workday`, `yearly`, `beyond valid`)"
        }
        Rule::valid => "`valid`",
        Rule::use_calendar => "`use`",
        Rule::week => "`week`",
        Rule::holiday => "`holiday`",
        Rule::workday => "`workday`",
        Rule::yearly => "`yearly`",
        Rule::beyond_valid => "`beyond valid`",
        Rule::beyond_mode => "`provisional` or `refuse`",
        Rule::channel => "`channel`",
        Rule::channel_stmt | Rule::callback_via => "`callback`",
        Rule::field => "`field`",
        Rule::presence => "`required` or `optional`",
        Rule::personal => "`personal`",
        Rule::field_scope => "`for` or `except` and categories",
        Rule::field_scope_kind => "`for` or `except`",
        Rule::attribute => "`attribute`",
        Rule::attr_type => "`type`",
        Rule::attr_unit => "`unit`",
        Rule::type_name => "a type (`number`, `string`, `bool`, `set`)",
        Rule::severities => "`severities`",
        Rule::severity => "a severity",
        Rule::category => "`category`",
        Rule::event => "`event`",
        Rule::department | Rule::role_department => "`department`",
        Rule::scope => "`scope`",
        Rule::scope_stmt => "`accept`, `redirect` or `incomplete`",
        Rule::accept => "`accept`",
        Rule::redirect => "`redirect`",
        Rule::redirect_within => "`within`",
        Rule::incomplete => "`incomplete`",
        Rule::on_calendar => "`on`",
        Rule::route => "`route`",
        Rule::route_rule => "`when`",
        Rule::calendars => "`calendars`",
        Rule::sla => "`sla`",
        Rule::target => "a target like `resolve within 5 working days`",
        Rule::within | Rule::cb_within | Rule::step_within => "`within`",
        Rule::every => "`every`",
        Rule::from_event | Rule::target_from => "`from`",
        Rule::stage_role => "`by`",
        Rule::each => "`each`",
        Rule::aim => "`aim`",
        Rule::until_event => "`until`",
        Rule::escalate => "`escalate`",
        Rule::for_target => "`for`",
        Rule::step => "an escalation step (`at 80% …`, `at breach …`, `immediately …`)",
        Rule::trigger | Rule::at_breach | Rule::at_percent => "`at` or `immediately`",
        Rule::immediately => "`immediately`",
        Rule::action => "`notify` or `escalate`",
        Rule::callback => "`callback`",
        Rule::callback_stmt => {
            "a callback statement (`within`, `via`, `ask satisfaction`, `dissatisfied reopen`)"
        }
        Rule::via => "`via`",
        Rule::ask_satisfaction => "`ask satisfaction`",
        Rule::dissatisfied_reopen => "`dissatisfied reopen`",
        Rule::stage => "`stage`",
        Rule::stage_stmt => "a stage statement (`after`, `separate_from`, or a target)",
        Rule::after => "`after`",
        Rule::separate_from => "`separate_from`",
        Rule::extension => "`extension`",
        Rule::max_extension => "`max`",
        Rule::extension_stmt => "`max` or `count`",
        Rule::extension_count => "`count`",
        Rule::report => "`report`",
        Rule::report_stmt => "a report statement (`every`, `covering`, `to`, `cc`, `if_closed`)",
        Rule::if_closed => "`if_closed`",
        Rule::closed_move => "`next`, `previous` or `keep`",
        Rule::schedule => "`every`",
        Rule::period => "a period (`day`, `week`, `month`, `quarter`, `year`)",
        Rule::long_weekday => "a weekday (`monday` … `sunday`)",
        Rule::day_of => "`day N`",
        Rule::covering => "`covering`",
        Rule::coverage => "`previous` or `current`",
        Rule::recipients_to => "`to`",
        Rule::recipients_cc => "`cc`",
        Rule::recipient => "a role or a quoted name",
        Rule::role => "`role`",
        Rule::role_stmt => {
            "a role statement (`code`, `department`, `reports_to`, `duty`, `authority`, …)"
        }
        Rule::code => "`code`",
        Rule::reports_to => "`reports_to`",
        Rule::headcount => "`headcount`",
        Rule::grade => "`grade`",
        Rule::pay_grade => "`pay_grade`",
        Rule::office_grade => "`office_grade`",
        Rule::location => "`location`",
        Rule::work_hours => "`hours`",
        Rule::purpose => "`purpose`",
        Rule::relation => "`relation`",
        Rule::relation_kind => "`internal` or `external`",
        Rule::related => "`related`",
        Rule::duty => "`duty`",
        Rule::other_duty => "`duty other`",
        Rule::k_other => "`other`",
        Rule::duty_stmt => {
            "a duty statement (`weight`, `time`, `measure`, `process`, `result`, `owns`, `item`)"
        }
        Rule::work_item => "`item`",
        Rule::item_time => "`for N hours per day` or `ad_hoc`",
        Rule::weight => "`weight`",
        Rule::time_budget => "`time`",
        Rule::ad_hoc => "`ad_hoc`",
        Rule::time_unit => "`hours` or `days`",
        Rule::per_period => "`day`, `week`, `month` or `year`",
        Rule::measure => "`measure`",
        Rule::process => "`process`",
        Rule::result => "`result`",
        Rule::owns => "`owns`",
        Rule::step_ref => "a procedure step",
        Rule::authority => "`authority`",
        Rule::authority_level => "`submit`, `review` or `approve`",
        Rule::authority_kind => "`management`, `expense`, `personnel` or `other`",
        Rule::limit => "`up to`",
        Rule::currency => "a currency code like `CNY`",
        Rule::right => "`right`",
        Rule::obligation => "`obligation`",
        Rule::requires => "`requires`",
        Rule::experience => "`experience`",
        Rule::requirement_kind => {
            "`education`, `major`, `skill`, `special_skill`, `knowledge`, `trait`, `papers`, `other` or `experience`"
        }
        Rule::training => "`training`",
        Rule::promotes_to => "`promotes_to`",
        Rule::position => "a role or a quoted position",
        Rule::rotates_with => "`rotates_with`",
        Rule::deputy => "`deputy`",
        Rule::procedure => "`procedure`",
        Rule::procedure_stmt => "`purpose`, `applies_to` or `step`",
        Rule::scope_text => "`applies_to`",
        Rule::proc_step => "`step`",
        Rule::proc_step_stmt => {
            "`within`, `by`, `when`, `does`, `records`, `form`, `checks` or `back_to`"
        }
        Rule::step_by => "`by`",
        Rule::step_does => "`does`",
        Rule::step_records => "`records`",
        Rule::step_form => "`form`",
        Rule::step_checks => "`checks scope`",
        Rule::step_calls => "`calls_back`",
        Rule::step_back => "`back_to`",
        Rule::back_if => "`if \"…\"` (the question that sends the case back)",
        Rule::definition => "`{ means \"…\" }`",
        Rule::means => "`means`",
    }
}

struct Lower {
    file: FileId,
    errors: Vec<SyntaxError>,
}

impl Lower {
    /// Where `p` was written, without the white space and comments pest takes in after a
    /// rule's last part when an optional part that would follow is absent
    /// (`category a "甲"` then a blank line).
    fn span(&self, p: &P) -> Span {
        Span {
            file: self.file,
            start: p.as_span().start() as u32,
            end: trimmed_end(p) as u32,
        }
    }

    fn node<T>(&mut self, p: &P, f: impl FnOnce(&mut Self) -> T) -> Node<T> {
        Node {
            span: self.span(p),
            node: f(self),
        }
    }

    /// A statement of a block, or `None` when one of its literals is not valid (the error is
    /// reported; a placeholder value would only make the checker say wrong things).
    fn statement<T>(&mut self, p: &P, f: impl FnOnce(&mut Self) -> T) -> Option<Node<T>> {
        let before = self.errors.len();
        let node = self.node(p, f);
        (self.errors.len() == before).then_some(node)
    }

    fn error(&mut self, p: &P, message: String, help: &str) {
        let span = self.span(p);
        self.errors.push(SyntaxError::Invalid {
            span,
            message,
            help: help.to_string(),
        });
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn idents(&self, p: P) -> Vec<Ident> {
        p.into_inner().map(|i| self.ident(i)).collect()
    }

    fn string(&self, p: P) -> String {
        let raw = p.into_inner().next().map_or("", |i| i.as_str());
        unescape(raw)
    }

    fn label(&self, p: P) -> Label {
        let mut inner = p.into_inner();
        let mut label = Label {
            text: inner.next().map(|s| self.string(s)).unwrap_or_default(),
            ..Label::default()
        };
        for form in inner {
            let mut parts = form.into_inner();
            let lang = parts.next().map_or("", |l| l.as_str());
            let text = parts.next().map(|s| self.string(s));
            if lang == "en" {
                label.en = text;
            } else {
                label.zh = text;
            }
        }
        label
    }

    fn head(&self, inner: &mut pest::iterators::Pairs<Rule>) -> Head {
        let name = inner.next().map(|p| self.ident(p)).unwrap_or(Ident {
            name: String::new(),
            span: Span::default(),
        });
        let label = match inner.peek() {
            Some(p) if p.as_rule() == Rule::label => inner.next().map(|p| self.label(p)),
            _ => None,
        };
        Head { name, label }
    }

    fn number(&mut self, p: P) -> f64 {
        match p.as_str().trim_end_matches('%').parse::<f64>() {
            Ok(n) if n.is_finite() => n,
            _ => {
                self.error(
                    &p,
                    format!("`{}` is not a number", p.as_str()),
                    "write a number like `12` or `0.5`",
                );
                0.0
            }
        }
    }

    fn integer(&mut self, p: P) -> u32 {
        match p.as_str().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                self.error(
                    &p,
                    format!("`{}` is too large", p.as_str()),
                    "use a number below 4294967296",
                );
                0
            }
        }
    }

    /// `MM-DD` as (month, day), a day that some year has (`02-29` included).
    fn month_day(&mut self, p: P) -> (u32, u32) {
        let text = p.as_str();
        let parsed = text
            .split_once('-')
            .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
            .filter(|&(m, d)| NaiveDate::from_ymd_opt(2024, m, d).is_some());
        match parsed {
            Some(md) => md,
            None => {
                self.error(
                    &p,
                    format!("`{text}` is not a day of the year"),
                    "write a real month and day as MM-DD, e.g. `10-01`",
                );
                (1, 1)
            }
        }
    }

    fn date(&mut self, p: P) -> NaiveDate {
        match NaiveDate::parse_from_str(p.as_str(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                self.error(
                    &p,
                    format!("`{}` is not a date", p.as_str()),
                    "write a real date as YYYY-MM-DD",
                );
                NaiveDate::MIN
            }
        }
    }

    /// Minutes after midnight of `HH:MM`; `24:00` only where `allow_24` is set.
    fn clock(&mut self, p: P, allow_24: bool) -> u16 {
        let text = p.as_str();
        let h: u16 = text[..2].parse().unwrap_or(99);
        let m: u16 = text[3..].parse().unwrap_or(99);
        if m < 60 && (h < 24 || (allow_24 && h == 24 && m == 0)) {
            h * 60 + m
        } else {
            let help = if allow_24 {
                "hours go from 00:00 to 24:00"
            } else {
                "times go from 00:00 to 23:59"
            };
            self.error(&p, format!("`{text}` is not a time of day"), help);
            0
        }
    }

    fn duration(&mut self, p: P) -> Duration {
        let mut amount = 0;
        let mut working = false;
        let mut unit = Unit::Minutes;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::integer => amount = self.integer(part),
                Rule::working => working = true,
                _ => {
                    let (elapsed, work) =
                        crate::time::unit_word(part.as_str()).unwrap_or((Unit::Minutes, None));
                    unit = match (working, work) {
                        (false, _) => elapsed,
                        (true, Some(work)) => work,
                        (true, None) => {
                            self.error(
                                &part,
                                format!("`working {}` is not a unit", part.as_str()),
                                "count working time in working days (e.g. `40 working days`), or write `8 weeks` for calendar weeks",
                            );
                            elapsed
                        }
                    };
                }
            }
        }
        Duration::new(amount, unit)
    }

    fn interval(&mut self, p: P) -> Node<OpenInterval> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let start = inner.next().map_or(0, |t| self.clock(t, false));
        let end = inner.next().map_or(0, |t| self.clock(t, true));
        Node {
            span,
            node: OpenInterval::new(start, end),
        }
    }

    fn hours(&mut self, p: P) -> Vec<Node<OpenInterval>> {
        p.into_inner()
            .filter(|i| i.as_rule() == Rule::interval)
            .filter_map(|i| {
                let before = self.errors.len();
                let interval = self.interval(i);
                (self.errors.len() == before).then_some(interval)
            })
            .collect()
    }

    fn item(&mut self, p: P) -> Item {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        match rule {
            Rule::policy => {
                let head = self.head(&mut inner);
                Item::Policy(
                    head,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.policy_stmt(s.clone())))
                        .collect(),
                )
            }
            Rule::import => {
                let Some(path) = inner.next() else {
                    return Item::Import(String::new());
                };
                let target = self.string(path.clone());
                if target.trim().is_empty() {
                    // An empty import would import nothing, silently.
                    self.error(
                        &path,
                        "an import names a `.charter` file, and this names none".into(),
                        "write the file's path, e.g. `import \"../calendars/cn-2026.charter\"`, or remove the line",
                    );
                }
                Item::Import(target)
            }
            Rule::calendar => {
                let head = self.head(&mut inner);
                Item::Calendar(
                    head,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.calendar_stmt(s.clone())))
                        .collect(),
                )
            }
            Rule::channel => {
                let head = self.head(&mut inner);
                let via = inner
                    .next()
                    .and_then(|s| s.into_inner().next())
                    .map(|i| self.ident(i));
                Item::Channel(head, via)
            }
            Rule::field => {
                let head = self.head(&mut inner);
                let mut presence = None;
                let mut scope = None;
                let mut personal = false;
                for part in inner {
                    if part.as_rule() == Rule::presence {
                        presence = Some(part.as_str() == "required");
                    } else if part.as_rule() == Rule::personal {
                        personal = true;
                    } else {
                        let mut parts = part.into_inner();
                        let except = parts.next().is_some_and(|k| k.as_str() == "except");
                        let categories = parts
                            .next()
                            .map(|list| list.into_inner().map(|i| self.ident(i)).collect())
                            .unwrap_or_default();
                        scope = Some(FieldScope { except, categories });
                    }
                }
                Item::Field(head, presence, scope, personal)
            }
            Rule::attribute => {
                let head = self.head(&mut inner);
                let ty = match inner
                    .next()
                    .and_then(|t| t.into_inner().next())
                    .map(|t| t.as_str())
                {
                    Some("number") => AttrType::Number,
                    Some("bool") => AttrType::Bool,
                    Some("set") => AttrType::Set,
                    _ => AttrType::String,
                };
                let (mut unit, mut means) = (None, None);
                for part in inner {
                    let span = self.span(&part);
                    let rule = part.as_rule();
                    let text = part.into_inner().next().map(|l| self.label(l));
                    match rule {
                        Rule::attr_unit => unit = text.map(|l| (l, span)),
                        Rule::means => means = text,
                        _ => {}
                    }
                }
                Item::Attribute(head, ty, unit, means)
            }
            Rule::severities => Item::Severities(
                inner
                    .map(|s| {
                        let mut parts = s.into_inner();
                        let head = self.head(&mut parts);
                        (head, self.definition(&mut parts))
                    })
                    .collect(),
            ),
            Rule::category => {
                let head = self.head(&mut inner);
                Item::Category(head, self.definition(&mut inner))
            }
            Rule::department => Item::Department(self.head(&mut inner)),
            Rule::event => Item::Event(self.head(&mut inner)),
            Rule::scope => Item::Scope(
                inner
                    .filter_map(|s| self.statement(&s, |l| l.scope_stmt(s.clone())))
                    .collect(),
            ),
            Rule::route => Item::Route(self.rules(inner)),
            Rule::calendars => Item::Calendars(self.rules(inner)),
            Rule::sla => Item::Sla(self.sla(inner)),
            Rule::escalate => Item::Escalate(self.escalate(inner)),
            Rule::callback => {
                let head = self.head(&mut inner);
                let when = self.when(&mut inner);
                Item::Callback(
                    head,
                    when,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.callback_stmt(s.clone())))
                        .collect(),
                )
            }
            Rule::stage => {
                let head = self.head(&mut inner);
                Item::Stage(
                    head,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.stage_stmt(s.clone())))
                        .collect(),
                )
            }
            Rule::extension => {
                let target = inner.next().map(|i| self.ident(i));
                let when = self.when(&mut inner);
                let stmts = inner
                    .filter_map(|s| self.statement(&s, |l| l.extension_stmt(s.clone())))
                    .collect();
                match target {
                    Some(target) => Item::Extension(Extension {
                        target,
                        when,
                        stmts,
                    }),
                    None => Item::Import(String::new()),
                }
            }
            Rule::report => {
                let head = self.head(&mut inner);
                Item::Report(
                    head,
                    inner
                        .map(|s| {
                            // The optional `on CAL` after a schedule lets the pair take the
                            // white space that follows it; the statement ends at its text.
                            let mut node = self.node(&s, |l| l.report_stmt(s.clone()));
                            let text = s.as_str();
                            node.span.end -= (text.len() - text.trim_end().len()) as u32;
                            node
                        })
                        .collect(),
                )
            }
            Rule::role => {
                let head = self.head(&mut inner);
                Item::Role(
                    head,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.role_stmt(s.clone())))
                        .collect(),
                )
            }
            Rule::procedure => {
                let head = self.head(&mut inner);
                Item::Procedure(
                    head,
                    inner
                        .filter_map(|s| self.statement(&s, |l| l.procedure_stmt(s.clone())))
                        .collect(),
                )
            }
            _ => Item::Import(String::new()),
        }
    }

    fn policy_stmt(&mut self, p: P) -> PolicyStmt {
        let rule = p.as_rule();
        let inner = p.into_inner().next();
        let Some(v) = inner else {
            return PolicyStmt::Locale(String::new());
        };
        match rule {
            Rule::version => PolicyStmt::Version(self.string(v)),
            Rule::effective => PolicyStmt::Effective(self.date(v)),
            Rule::timezone => PolicyStmt::Timezone(self.string(v)),
            Rule::default_calendar => PolicyStmt::Calendar(self.ident(v)),
            Rule::at_risk => PolicyStmt::AtRisk(self.number(v)),
            Rule::fallback => PolicyStmt::Fallback(v.as_str() == "allowed"),
            Rule::satisfaction => PolicyStmt::Satisfaction(self.number(v)),
            Rule::organisation => PolicyStmt::Organisation(self.label(v)),
            Rule::document_no => PolicyStmt::Document(self.string(v)),
            Rule::change_note => PolicyStmt::Changes(self.label(v)),
            _ => PolicyStmt::Locale(self.string(v)),
        }
    }

    fn calendar_stmt(&mut self, p: P) -> CalendarStmt {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        match rule {
            Rule::timezone => {
                CalendarStmt::Timezone(inner.next().map(|s| self.string(s)).unwrap_or_default())
            }
            Rule::valid => {
                let a = inner.next().map_or(NaiveDate::MIN, |d| self.date(d));
                let b = inner.next().map_or(NaiveDate::MIN, |d| self.date(d));
                CalendarStmt::Valid(a, b)
            }
            Rule::use_calendar => {
                CalendarStmt::Use(inner.next().map(|i| self.ident(i)).unwrap_or(Ident {
                    name: String::new(),
                    span: Span::default(),
                }))
            }
            Rule::week => {
                let days = inner.next().map(|d| self.days(d)).unwrap_or_default();
                let hours = inner.next().map(|h| self.hours(h)).unwrap_or_default();
                CalendarStmt::Week(days, hours)
            }
            Rule::yearly => {
                let mut label = None;
                let mut days = Vec::new();
                for part in inner {
                    if part.as_rule() == Rule::month_day {
                        days.push(self.month_day(part));
                    } else {
                        label = Some(self.label(part));
                    }
                }
                let a = days.first().copied().unwrap_or((1, 1));
                let b = days.get(1).copied().unwrap_or(a);
                CalendarStmt::Yearly(a, b, label)
            }
            Rule::beyond_valid => {
                CalendarStmt::Beyond(inner.next().is_some_and(|m| m.as_str() == "provisional"))
            }
            Rule::holiday => {
                let mut range = inner.next().map(|r| r.into_inner()).into_iter().flatten();
                let a = range.next().map_or(NaiveDate::MIN, |d| self.date(d));
                let b = range.next().map_or(a, |d| self.date(d));
                CalendarStmt::Holiday(a, b, inner.next().map(|l| self.label(l)))
            }
            _ => {
                let date = inner.next().map_or(NaiveDate::MIN, |d| self.date(d));
                let mut hours = None;
                let mut label = None;
                for part in inner {
                    if part.as_rule() == Rule::hours {
                        hours = Some(self.hours(part));
                    } else {
                        label = Some(self.label(part));
                    }
                }
                CalendarStmt::Workday(date, hours, label)
            }
        }
    }

    fn days(&mut self, p: P) -> Vec<(u8, u8)> {
        let day = |w: &str| {
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .position(|d| *d == w)
                .unwrap_or(0) as u8
        };
        p.into_inner()
            .map(|range| {
                let parts: Vec<&str> = range.into_inner().map(|w| w.as_str()).collect();
                let first = day(parts.first().copied().unwrap_or("mon"));
                (first, parts.get(1).map_or(first, |w| day(w)))
            })
            .collect()
    }

    fn scope_stmt(&mut self, p: P) -> ScopeStmt {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        match rule {
            Rule::accept => {
                ScopeStmt::Accept(inner.next().map(|l| self.idents(l)).unwrap_or_default())
            }
            Rule::redirect => {
                let names = inner.next().map(|l| self.idents(l)).unwrap_or_default();
                let to = inner.next().map(|l| self.label(l)).unwrap_or_default();
                let why = inner.next().map(|l| self.label(l)).unwrap_or_default();
                let within = inner.next().map(|w| self.span_on(w.into_inner()));
                ScopeStmt::Redirect(names, to, why, within)
            }
            _ => {
                let (span, on) = self.span_on(inner);
                ScopeStmt::Incomplete(span, on)
            }
        }
    }

    /// `SPAN on CAL` (the calendar optional), as in `incomplete within …` and `redirect … within …`.
    fn span_on(&mut self, mut parts: pest::iterators::Pairs<Rule>) -> (Duration, Option<Ident>) {
        let span = parts
            .next()
            .map_or(Duration::new(0, Unit::Days), |d| self.duration(d));
        let on = parts
            .next()
            .and_then(|o| o.into_inner().next())
            .map(|i| self.ident(i));
        (span, on)
    }

    fn rules(&mut self, inner: pest::iterators::Pairs<Rule>) -> Rules {
        let mut rules = Vec::new();
        let mut otherwise = None;
        for p in inner {
            let span = self.span(&p);
            let is_rule = p.as_rule() == Rule::route_rule;
            let mut parts = p
                .into_inner()
                .filter(|q| !matches!(q.as_rule(), Rule::k_when | Rule::k_otherwise));
            if is_rule {
                let (Some(c), Some(to)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let when = self.condition(c);
                rules.push(Node {
                    span,
                    node: Rule_ {
                        when,
                        to: self.ident(to),
                    }
                    .into(),
                });
            } else if let Some(to) = parts.next() {
                otherwise = Some(Node {
                    span,
                    node: self.ident(to),
                });
            }
        }
        Rules { rules, otherwise }
    }

    fn when(&mut self, inner: &mut pest::iterators::Pairs<Rule>) -> Option<Node<Condition>> {
        match inner.peek() {
            Some(p) if p.as_rule() == Rule::when_clause => {
                let clause = inner.next()?;
                let c = clause
                    .into_inner()
                    .find(|q| q.as_rule() == Rule::condition)?;
                Some(self.condition(c))
            }
            _ => None,
        }
    }

    fn on(&mut self, inner: &mut pest::iterators::Pairs<Rule>) -> Option<Ident> {
        match inner.peek() {
            Some(p) if p.as_rule() == Rule::on_calendar => {
                inner.next()?.into_inner().next().map(|i| self.ident(i))
            }
            _ => None,
        }
    }

    fn condition(&mut self, p: P) -> Node<Condition> {
        let span = self.span(&p);
        let node = match p.as_rule() {
            Rule::condition => self.junction(p, true),
            Rule::disjunct => self.junction(p, false),
            Rule::negation => {
                let inner = p.into_inner().find(|q| q.as_rule() != Rule::k_not);
                match inner {
                    Some(q) => Condition::Not(Box::new(self.condition(q))),
                    None => Condition::And(Vec::new()),
                }
            }
            Rule::group => match p.into_inner().next() {
                Some(q) => return self.condition(q).with_span(span),
                None => Condition::And(Vec::new()),
            },
            _ => self.comparison(p),
        };
        Node { span, node }
    }

    fn junction(&mut self, p: P, or: bool) -> Condition {
        let mut parts: Vec<Node<Condition>> = p
            .into_inner()
            .filter(|q| !matches!(q.as_rule(), Rule::k_and | Rule::k_or))
            .map(|q| self.condition(q))
            .collect();
        if parts.len() == 1 {
            return parts
                .pop()
                .map(|n| n.node)
                .unwrap_or(Condition::And(Vec::new()));
        }
        if or {
            Condition::Or(parts)
        } else {
            Condition::And(parts)
        }
    }

    fn comparison(&mut self, p: P) -> Condition {
        let mut inner = p.into_inner();
        let subject = inner.next().map(|i| self.ident(i)).unwrap_or(Ident {
            name: String::new(),
            span: Span::default(),
        });
        let test = match inner.next() {
            None => Test::Truthy,
            Some(t) => {
                let rule = t.as_rule();
                let mut parts = t
                    .into_inner()
                    .filter(|q| !matches!(q.as_rule(), Rule::k_in | Rule::k_contains));
                match rule {
                    Rule::membership => {
                        let list = parts
                            .next()
                            .map(|l| l.into_inner().map(|v| self.value(v)).collect())
                            .unwrap_or_default();
                        Test::In(list)
                    }
                    Rule::containment => match parts.next() {
                        Some(v) => Test::Contains(self.value(v)),
                        None => Test::Truthy,
                    },
                    _ => {
                        let op = match parts.next().map(|o| o.as_str()) {
                            Some("!=") => CompareOp::Ne,
                            Some("<") => CompareOp::Lt,
                            Some("<=") => CompareOp::Le,
                            Some(">") => CompareOp::Gt,
                            Some(">=") => CompareOp::Ge,
                            _ => CompareOp::Eq,
                        };
                        match parts.next() {
                            Some(v) => Test::Compare(op, self.value(v)),
                            None => Test::Truthy,
                        }
                    }
                }
            }
        };
        Condition::Test(subject, test)
    }

    fn value(&mut self, p: P) -> Node<Value> {
        let span = self.span(&p);
        let Some(v) = p.into_inner().next() else {
            return Node {
                span,
                node: Value::Bool(false),
            };
        };
        let node = match v.as_rule() {
            Rule::boolean => Value::Bool(v.as_str() == "true"),
            Rule::string => Value::String(self.string(v)),
            Rule::number => Value::Number(self.number(v)),
            _ => Value::Name(v.as_str().to_string()),
        };
        Node { span, node }
    }

    fn target(&mut self, p: P) -> Target {
        let mut inner = p.into_inner().peekable();
        let aim = inner.next_if(|p| p.as_rule() == Rule::aim).is_some();
        let name = inner.next().map(|i| self.ident(i)).unwrap_or(Ident {
            name: String::new(),
            span: Span::default(),
        });
        let label = inner
            .next_if(|p| p.as_rule() == Rule::label)
            .map(|l| self.label(l));
        let mut target = Target {
            name,
            label,
            span: Duration::new(0, Unit::Minutes),
            recurring: false,
            aim,
            each: false,
            from: None,
            until: Vec::new(),
            on: None,
        };
        for part in inner {
            let rule = part.as_rule();
            let mut values = part.into_inner().peekable();
            match rule {
                Rule::target_from => {
                    target.each = values.next_if(|p| p.as_rule() == Rule::each).is_some();
                    target.from = values.next().map(|v| self.ident(v));
                }
                Rule::until_event => {
                    target.until = values
                        .filter(|v| v.as_rule() == Rule::ident)
                        .map(|v| self.ident(v))
                        .collect();
                }
                _ => {
                    let Some(value) = values.next() else { continue };
                    match rule {
                        Rule::within => target.span = self.duration(value),
                        Rule::every => {
                            target.span = self.duration(value);
                            target.recurring = true;
                        }
                        _ => target.on = Some(self.ident(value)),
                    }
                }
            }
        }
        target
    }

    fn extension_stmt(&mut self, p: P) -> ExtensionStmt {
        let rule = p.as_rule();
        let inner = p.into_inner().next();
        match (rule, inner) {
            (Rule::extension_count, Some(n)) => ExtensionStmt::Count(self.integer(n)),
            (_, Some(d)) => ExtensionStmt::Max(self.duration(d)),
            (_, None) => ExtensionStmt::Count(0),
        }
    }

    fn sla(&mut self, mut inner: pest::iterators::Pairs<Rule>) -> Sla {
        let head = self.head(&mut inner);
        let when = self.when(&mut inner);
        let on = self.on(&mut inner);
        let targets = inner
            .map(|t| self.node(&t, |l| l.target(t.clone())))
            .collect();
        Sla {
            head,
            when,
            on,
            targets,
        }
    }

    fn escalate(&mut self, mut inner: pest::iterators::Pairs<Rule>) -> Escalate {
        let head = self.head(&mut inner);
        let target = match inner.peek() {
            Some(p) if p.as_rule() == Rule::for_target => inner
                .next()
                .and_then(|f| f.into_inner().next())
                .map(|i| self.ident(i)),
            _ => None,
        };
        let when = self.when(&mut inner);
        let steps = inner
            .filter_map(|s| self.statement(&s, |l| l.step(s.clone())))
            .collect();
        Escalate {
            head,
            target,
            when,
            steps,
        }
    }

    fn step(&mut self, p: P) -> Step {
        let mut inner = p.into_inner();
        let trigger = match inner.next().and_then(|t| t.into_inner().next()) {
            Some(t) if t.as_rule() == Rule::at_percent => {
                let span = self.span(&t);
                let n = t.into_inner().next().map_or(0.0, |n| self.number(n));
                Trigger::Percent(Node { span, node: n })
            }
            Some(t) if t.as_rule() == Rule::at_breach => {
                Trigger::Breach(t.into_inner().next().map(|d| self.duration(d)))
            }
            _ => Trigger::Immediately,
        };
        let escalate = inner.next().is_some_and(|a| a.as_str() == "escalate");
        let whom = inner
            .next()
            .and_then(|w| w.into_inner().next())
            .map(|i| self.ident(i))
            .unwrap_or(Ident {
                name: String::new(),
                span: Span::default(),
            });
        Step {
            trigger,
            escalate,
            whom,
        }
    }

    fn callback_stmt(&mut self, p: P) -> CallbackStmt {
        match p.as_rule() {
            Rule::cb_within => {
                let mut inner = p.into_inner();
                let span = inner
                    .next()
                    .map_or(Duration::new(0, Unit::Days), |d| self.duration(d));
                let mut from = None;
                let mut on = None;
                for part in inner {
                    let rule = part.as_rule();
                    let value = part.into_inner().next().map(|i| self.ident(i));
                    if rule == Rule::from_event {
                        from = value
                    } else {
                        on = value
                    }
                }
                CallbackStmt::Within(span, from, on)
            }
            Rule::via => CallbackStmt::Via(p.into_inner().next().map(|i| self.ident(i)).unwrap_or(
                Ident {
                    name: String::new(),
                    span: Span::default(),
                },
            )),
            Rule::ask_satisfaction => CallbackStmt::AskSatisfaction,
            _ => CallbackStmt::DissatisfiedReopen,
        }
    }

    fn stage_stmt(&mut self, p: P) -> StageStmt {
        match p.as_rule() {
            Rule::target => StageStmt::Target(self.target(p)),
            rule => {
                let id = p
                    .into_inner()
                    .next()
                    .map(|i| self.ident(i))
                    .unwrap_or(Ident {
                        name: String::new(),
                        span: Span::default(),
                    });
                match rule {
                    Rule::after => StageStmt::After(id),
                    Rule::stage_role => StageStmt::By(id),
                    _ => StageStmt::SeparateFrom(id),
                }
            }
        }
    }

    fn report_stmt(&mut self, p: P) -> ReportStmt {
        let rule = p.as_rule();
        match rule {
            Rule::schedule => {
                let span = self.span(&p);
                let text = p.as_str().trim().to_string();
                let mut schedule = Schedule {
                    period: String::new(),
                    on: None,
                    before: u16::MAX,
                };
                let mut calendar = None;
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::period => schedule.period = part.as_str().to_string(),
                        Rule::clock_time => schedule.before = self.clock(part, false),
                        Rule::on_calendar => {
                            calendar = part.into_inner().next().map(|c| self.ident(c))
                        }
                        Rule::day_of => {
                            schedule.on = Some(format!(
                                "day {}",
                                part.into_inner().next().map_or("", |n| n.as_str())
                            ))
                        }
                        _ => schedule.on = Some(part.as_str().to_string()),
                    }
                }
                if schedule.before == u16::MAX {
                    schedule.before = 0;
                    self.errors.push(SyntaxError::Invalid {
                        span,
                        message: format!("`{text}` does not say by when the report is due"),
                        help: "add a time: `every week on monday before 10:00`".into(),
                    });
                }
                ReportStmt::Schedule(schedule, calendar)
            }
            Rule::if_closed => {
                ReportStmt::IfClosed(match p.into_inner().next().map_or("next", |m| m.as_str()) {
                    "keep" => IfClosed::Keep,
                    "previous" => IfClosed::Previous,
                    _ => IfClosed::Next,
                })
            }
            Rule::covering => {
                let text = p
                    .into_inner()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                ReportStmt::Covering(text)
            }
            _ => {
                let list = p
                    .into_inner()
                    .filter_map(|r| r.into_inner().next())
                    .map(|r| self.recipient(r))
                    .collect();
                if rule == Rule::recipients_to {
                    ReportStmt::To(list)
                } else {
                    ReportStmt::Cc(list)
                }
            }
        }
    }

    fn role_stmt(&mut self, p: P) -> RoleStmt {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        let Some(first) = inner.next() else {
            return RoleStmt::Code(String::new());
        };
        match rule {
            Rule::code => RoleStmt::Code(self.string(first)),
            Rule::document_no => RoleStmt::Document(self.string(first)),
            Rule::role_department => RoleStmt::Department(self.ident(first)),
            Rule::reports_to => RoleStmt::ReportsTo(self.ident(first)),
            Rule::headcount => RoleStmt::Headcount(self.integer(first)),
            Rule::grade => RoleStmt::Grade(self.string(first)),
            Rule::pay_grade => RoleStmt::PayGrade(self.label(first)),
            Rule::office_grade => RoleStmt::OfficeGrade(self.label(first)),
            Rule::location => RoleStmt::Location(self.label(first)),
            Rule::work_hours => RoleStmt::Hours(self.label(first)),
            Rule::purpose => RoleStmt::Purpose(self.label(first)),
            Rule::relation => {
                let internal = first.as_str() == "internal";
                RoleStmt::Relation(
                    internal,
                    inner.next().map(|l| self.label(l)).unwrap_or_default(),
                )
            }
            Rule::related => RoleStmt::Related(self.idents(first)),
            Rule::duty | Rule::other_duty => {
                let other = rule == Rule::other_duty;
                let name = self.ident(first);
                let label = inner.next().map(|l| self.label(l)).unwrap_or_default();
                let stmts = inner
                    .filter_map(|s| self.statement(&s, |l| l.duty_stmt(s.clone())))
                    .collect();
                RoleStmt::Duty(Duty {
                    name,
                    other,
                    label,
                    stmts,
                })
            }
            Rule::authority => RoleStmt::Authority(self.authority(first, inner)),
            Rule::right => RoleStmt::Right(self.label(first)),
            Rule::obligation => RoleStmt::Obligation(self.label(first)),
            Rule::requires if first.as_rule() == Rule::experience => {
                RoleStmt::Requires(self.requirement(first))
            }
            Rule::requires => {
                let kind = first.as_str().to_string();
                RoleStmt::Requires(Requirement::Other(
                    kind,
                    inner.next().map(|l| self.label(l)).unwrap_or_default(),
                ))
            }
            Rule::training => RoleStmt::Training(self.label(first)),
            Rule::promotes_to => RoleStmt::PromotesTo(
                std::iter::once(first)
                    .chain(inner)
                    .filter_map(|p| p.into_inner().next())
                    .map(|p| self.recipient(p))
                    .collect(),
            ),
            Rule::rotates_with => RoleStmt::RotatesWith(self.idents(first)),
            _ => RoleStmt::Deputy(self.ident(first)),
        }
    }

    /// A role by name, or a quoted name of someone outside the policy.
    fn recipient(&self, p: P) -> Recipient {
        if p.as_rule() == Rule::ident {
            Recipient::Role(self.ident(p))
        } else {
            Recipient::External(self.label(p))
        }
    }

    /// `authority KIND? LEVEL, LEVEL "matter" up to N CUR`, from its first part on.
    fn authority(&mut self, first: P, rest: pest::iterators::Pairs<Rule>) -> Authority {
        let mut authority = Authority {
            kind: None,
            levels: Vec::new(),
            matter: Label::default(),
            limit: None,
        };
        for part in std::iter::once(first).chain(rest) {
            match part.as_rule() {
                Rule::authority_kind => authority.kind = AuthorityKind::from_name(part.as_str()),
                Rule::authority_level => {
                    let level = match part.as_str() {
                        "submit" => AuthorityLevel::Submit,
                        "review" => AuthorityLevel::Review,
                        _ => AuthorityLevel::Approve,
                    };
                    authority.levels.push(Node {
                        span: self.span(&part),
                        node: level,
                    });
                }
                Rule::limit => {
                    let mut parts = part.into_inner();
                    let amount = parts.next().map_or(0.0, |n| self.number(n));
                    let currency = parts.next().map_or(String::new(), |c| c.as_str().into());
                    authority.limit = Some((amount, currency));
                }
                _ => authority.matter = self.label(part),
            }
        }
        authority
    }

    fn requirement(&mut self, p: P) -> Requirement {
        let mut inner = p.into_inner();
        let years = inner.next().map_or(0, |n| self.integer(n));
        Requirement::Experience(years, inner.next().map(|l| self.label(l)))
    }

    fn duty_stmt(&mut self, p: P) -> DutyStmt {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        match rule {
            Rule::weight => {
                let w = inner.next();
                match w {
                    Some(w) => {
                        let span = self.span(&w);
                        let n = w.into_inner().next().map_or(0.0, |n| self.number(n));
                        DutyStmt::Weight(Node { span, node: n })
                    }
                    None => DutyStmt::Weight(Node {
                        span: Span::default(),
                        node: 0.0,
                    }),
                }
            }
            Rule::time_budget => match inner.next() {
                Some(first) if first.as_rule() == Rule::number => {
                    let amount = self.number(first);
                    let unit = inner
                        .next()
                        .map_or(String::new(), |u| u.as_str().to_string());
                    let per = inner
                        .next()
                        .map_or(String::new(), |u| u.as_str().to_string());
                    DutyStmt::Time(Some((amount, unit, per)))
                }
                _ => DutyStmt::Time(None),
            },
            Rule::measure => {
                DutyStmt::Measure(inner.next().map(|l| self.label(l)).unwrap_or_default())
            }
            Rule::process => DutyStmt::Process(inner.map(|l| self.label(l)).collect()),
            Rule::result => {
                DutyStmt::Result(inner.next().map(|l| self.label(l)).unwrap_or_default())
            }
            Rule::work_item => {
                let text = inner.next().map(|l| self.label(l)).unwrap_or_default();
                let time = inner.next().map(|t| {
                    let mut parts = t.into_inner();
                    match parts.next() {
                        Some(n) if n.as_rule() == Rule::number => {
                            let amount = self.number(n);
                            let unit = parts.next().map_or(String::new(), |u| u.as_str().into());
                            let per = parts.next().map_or(String::new(), |u| u.as_str().into());
                            ItemTime::Per(amount, unit, per)
                        }
                        _ => ItemTime::AdHoc,
                    }
                });
                DutyStmt::Item(text, time)
            }
            _ => DutyStmt::Owns(
                inner
                    .map(|r| {
                        let mut ids: Vec<Ident> = r.into_inner().map(|i| self.ident(i)).collect();
                        let step = ids.pop().unwrap_or(Ident {
                            name: String::new(),
                            span: Span::default(),
                        });
                        StepRef {
                            procedure: ids.pop(),
                            step,
                        }
                    })
                    .collect(),
            ),
        }
    }

    fn procedure_stmt(&mut self, p: P) -> ProcedureStmt {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        match rule {
            Rule::purpose => {
                ProcedureStmt::Purpose(inner.next().map(|l| self.label(l)).unwrap_or_default())
            }
            Rule::scope_text => {
                ProcedureStmt::AppliesTo(inner.next().map(|l| self.label(l)).unwrap_or_default())
            }
            _ => {
                let head = self.head(&mut inner);
                let stmts = inner
                    .filter_map(|s| self.statement(&s, |l| l.step_stmt(s.clone())))
                    .collect();
                ProcedureStmt::Step(head, stmts)
            }
        }
    }

    fn step_stmt(&mut self, p: P) -> StepStmt {
        let rule = p.as_rule();
        let mut parts = p.into_inner();
        let label = |l: &mut Self, parts: &mut pest::iterators::Pairs<Rule>| {
            parts.next().map(|x| l.label(x)).unwrap_or_default()
        };
        match rule {
            Rule::step_within => {
                let span = parts
                    .next()
                    .map_or(Duration::new(0, Unit::Minutes), |d| self.duration(d));
                let on = parts
                    .next()
                    .and_then(|o| o.into_inner().next())
                    .map(|i| self.ident(i));
                StepStmt::Within(span, on)
            }
            Rule::when_clause => match parts.find(|q| q.as_rule() == Rule::condition) {
                Some(c) => StepStmt::When(self.condition(c)),
                None => StepStmt::ChecksScope,
            },
            Rule::step_does => StepStmt::Does(label(self, &mut parts)),
            Rule::step_records => StepStmt::Records(label(self, &mut parts)),
            Rule::step_form => StepStmt::Form(label(self, &mut parts)),
            Rule::step_checks => StepStmt::ChecksScope,
            Rule::step_calls => StepStmt::CallsBack,
            Rule::step_back => {
                let step = parts.next().map(|i| self.ident(i)).unwrap_or(Ident {
                    name: String::new(),
                    span: Span::default(),
                });
                let question = parts.find(|q| q.as_rule() == Rule::label);
                StepStmt::BackTo(step, question.map(|l| self.label(l)).unwrap_or_default())
            }
            _ => StepStmt::By(parts.next().map(|i| self.ident(i)).unwrap_or(Ident {
                name: String::new(),
                span: Span::default(),
            })),
        }
    }

    /// The `{ means "..." }` after a category or severity, if written.
    fn definition(&self, inner: &mut pest::iterators::Pairs<Rule>) -> Option<Label> {
        let block = inner.next()?;
        let means = block.into_inner().next()?;
        means.into_inner().next().map(|l| self.label(l))
    }
}

/// The end of `p` without trailing white space and comments: the end of its last part when
/// only those follow it (recursively, since `label` takes them in too).
fn trimmed_end(p: &P) -> usize {
    let end = p.as_span().end();
    let Some(last) = p.clone().into_inner().last() else {
        return end;
    };
    let inner = trimmed_end(&last);
    match p.as_str().get(inner - p.as_span().start()..) {
        Some(tail) if only_space_and_comments(tail) => inner,
        _ => end,
    }
}

/// Whether `text` holds nothing but white space (as the grammar counts it) and comments.
fn only_space_and_comments(text: &str) -> bool {
    let mut in_comment = false;
    for c in text.chars() {
        match c {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '#' => in_comment = true,
            ' ' | '\t' | '\r' | '\u{FEFF}' | '\u{3000}' | ';' => {}
            _ => return false,
        }
    }
    true
}

/// A rule before it is wrapped, to keep `Rule` (pest's) and the AST's rule apart.
struct Rule_ {
    when: Node<Condition>,
    to: Ident,
}

impl From<Rule_> for RouteRule {
    fn from(r: Rule_) -> Self {
        RouteRule {
            when: r.when,
            to: r.to,
        }
    }
}

impl<T> Node<T> {
    fn with_span(mut self, span: Span) -> Self {
        self.span = span;
        self
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
