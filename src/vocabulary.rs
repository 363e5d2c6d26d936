//! The language's plain values that outlive parsing: labels, attribute types, comparison
//! operators, report schedules, authority levels. The parser produces them, and checking,
//! deciding, analysis and documents use them, without any of those reaching into the syntax.

/// A human-readable text with optional explicit Chinese and English forms.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// # let policy = &engine.versions()[0].policy;
/// // `policy` is the complaint office's, compiled.
/// // `category billing "收费问题" en "Charges and billing"`
/// let billing = policy.categories.iter().find(|c| c.name == "billing").ok_or("billing")?;
/// assert_eq!(billing.label.text, "收费问题");
/// assert_eq!(billing.label.en.as_deref(), Some("Charges and billing"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Label {
    /// The text as first written.
    pub text: String,
    /// The explicit Chinese form, if given with `zh`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    /// The explicit English form, if given with `en`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// The type of a case attribute.
///
/// ```
/// use charter::vocabulary::AttrType;
/// assert_eq!(AttrType::Set.name(), "set");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrType {
    /// A number.
    Number,
    /// A string.
    String,
    /// `true` or `false`.
    Bool,
    /// A set of strings.
    Set,
}

/// A comparison operator.
///
/// ```
/// use charter::vocabulary::CompareOp;
/// assert!(CompareOp::Gt.holds(5001.0, 5000.0));
/// assert_eq!(CompareOp::Ge.symbol(), ">=");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::CompareOp::Ne.symbol(), "!=");
    /// ```
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

impl CompareOp {
    /// Whether `a OP b` holds.
    ///
    /// ```
    /// use charter::vocabulary::CompareOp;
    /// assert!(CompareOp::Le.holds(5000.0, 5000.0));
    /// assert!(!CompareOp::Lt.holds(5000.0, 5000.0));
    /// ```
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CompareOp::Eq => a == b,
            CompareOp::Ne => a != b,
            CompareOp::Lt => a < b,
            CompareOp::Le => a <= b,
            CompareOp::Gt => a > b,
            CompareOp::Ge => a >= b,
        }
    }
}

impl AttrType {
    /// The type's name in the language.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::AttrType::Number.name(), "number");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AttrType::Number => "number",
            AttrType::String => "string",
            AttrType::Bool => "bool",
            AttrType::Set => "set",
        }
    }
}

/// Where a report due on a non-working day goes (`if_closed`).
///
/// ```
/// use charter::vocabulary::IfClosed;
/// assert_eq!(IfClosed::default(), IfClosed::Next);
/// assert_eq!(IfClosed::Previous.word(), "previous");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfClosed {
    /// Due on the day itself.
    Keep,
    /// Due at the same time on the next working day (the default).
    #[default]
    Next,
    /// Due at the same time on the working day before.
    Previous,
}

impl IfClosed {
    /// The word as written.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::IfClosed::Keep.word(), "keep");
    /// ```
    pub fn word(self) -> &'static str {
        match self {
            IfClosed::Keep => "keep",
            IfClosed::Next => "next",
            IfClosed::Previous => "previous",
        }
    }
}

/// When a report is due.
///
/// ```
/// # let engine = charter::decide::Engine::from_sources(&[
/// #     ("office/policy.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/complaint-office/policy.charter"))),
/// #     ("calendars/cn-2026.charter", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/calendars/cn-2026.charter"))),
/// # ])?;
/// // `engine` decides with the complaint office's policy (`policies/complaint-office`).
/// // `every month on day 5 before 10:00`
/// let monthly = &engine.versions()[0].policy.reports[0];
/// let schedule = monthly.schedule.as_ref().ok_or("a schedule")?;
/// assert_eq!((schedule.period.as_str(), schedule.on.as_deref(), schedule.before), ("month", Some("day 5"), 10 * 60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Schedule {
    /// `day`, `week`, `month`, `quarter` or `year`.
    pub period: String,
    /// What follows `on`: `monday`, `day 5`, `01-15`.
    pub on: Option<String>,
    /// `before 10:00`, in minutes after midnight.
    pub before: u16,
}

/// The kind of an authority, by which a position description groups them: 管理权限, 费用权限,
/// 人事权限, 其他权限.
///
/// ```
/// use charter::vocabulary::AuthorityKind;
/// for kind in AuthorityKind::ALL {
///     assert_eq!(AuthorityKind::from_name(kind.name()), Some(kind));
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// 管理权限
    Management,
    /// 费用权限
    Expense,
    /// 人事权限
    Personnel,
    /// 其他权限
    Other,
}

impl AuthorityKind {
    /// Every kind, in the order a position description lists them.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::AuthorityKind::ALL.len(), 4);
    /// ```
    pub const ALL: [AuthorityKind; 4] = [
        AuthorityKind::Management,
        AuthorityKind::Expense,
        AuthorityKind::Personnel,
        AuthorityKind::Other,
    ];

    /// The kind's keyword.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::AuthorityKind::Expense.name(), "expense");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AuthorityKind::Management => "management",
            AuthorityKind::Expense => "expense",
            AuthorityKind::Personnel => "personnel",
            AuthorityKind::Other => "other",
        }
    }

    /// The kind named by `keyword`.
    ///
    /// ```
    /// use charter::vocabulary::AuthorityKind;
    /// assert_eq!(AuthorityKind::from_name("expense"), Some(AuthorityKind::Expense));
    /// assert_eq!(AuthorityKind::from_name("budget"), None);
    /// ```
    pub fn from_name(keyword: &str) -> Option<AuthorityKind> {
        AuthorityKind::ALL.into_iter().find(|k| k.name() == keyword)
    }
}

/// An authority level: 申报 / 审核 / 批准.
///
/// ```
/// use charter::vocabulary::AuthorityLevel;
/// assert_eq!(AuthorityLevel::Approve.name(), "approve");
/// assert!(AuthorityLevel::Submit < AuthorityLevel::Approve);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityLevel {
    /// 申报
    Submit,
    /// 审核
    Review,
    /// 批准
    Approve,
}

impl AuthorityLevel {
    /// The level's keyword.
    ///
    /// ```
    /// assert_eq!(charter::vocabulary::AuthorityLevel::Review.name(), "review");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AuthorityLevel::Submit => "submit",
            AuthorityLevel::Review => "review",
            AuthorityLevel::Approve => "approve",
        }
    }
}
