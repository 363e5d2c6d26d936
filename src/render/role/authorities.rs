//! 工作权限: the authorities grouped by kind (管理权限, 费用权限, 人事权限, 其他权限), each a row
//! with a ✓ under every level held (申报 / 审核 / 批准), as the seeds' 职位权责 form has it.

use crate::vocabulary::{AuthorityKind, AuthorityLevel};

use super::super::words::money;
use super::super::{Block, Lang};
use super::{Pd, Section};

const LEVELS: [AuthorityLevel; 3] = [
    AuthorityLevel::Submit,
    AuthorityLevel::Review,
    AuthorityLevel::Approve,
];

impl Pd<'_> {
    pub(super) fn authorities(&self) -> Option<Section> {
        let authorities = &self.role.authorities;
        if authorities.is_empty() {
            return None;
        }
        let with_limit = authorities.iter().any(|a| a.limit.is_some());
        let mut rows = Vec::new();
        for kind in AuthorityKind::ALL {
            let group = authorities.iter().filter(|a| a.kind == kind);
            for (n, a) in group.enumerate() {
                let mut row = vec![
                    if n == 0 {
                        self.kind_name(kind)
                    } else {
                        String::new()
                    },
                    self.l(&a.matter),
                ];
                row.extend(
                    LEVELS.map(|l| if a.levels.contains(&l) { "✓" } else { "" }.to_string()),
                );
                if with_limit {
                    row.push(
                        (a.limit.as_ref())
                            .map(|(n, currency)| money(*n, currency, self.lang))
                            .unwrap_or_default(),
                    );
                }
                rows.push(row);
            }
        }
        let mut header = vec![
            self.say("类别", "Kind"),
            self.say("权限项目", "Matter"),
            self.say("申报", "Submit"),
            self.say("审核", "Review"),
            self.say("批准", "Approve"),
        ];
        if with_limit {
            header.push(self.say("限额", "Limit"));
        }
        self.section(
            "工作权限",
            "Authorities",
            vec![Block::Table { header, rows }],
        )
    }

    fn kind_name(&self, kind: AuthorityKind) -> String {
        let (zh, en) = match kind {
            AuthorityKind::Management => ("管理权限", "Management"),
            AuthorityKind::Expense => ("费用权限", "Expenses"),
            AuthorityKind::Personnel => ("人事权限", "Personnel"),
            AuthorityKind::Other => ("其他权限", "Other"),
        };
        match self.lang {
            Lang::Zh => zh.into(),
            Lang::En => en.into(),
        }
    }
}
