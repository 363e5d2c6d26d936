//! Position descriptions as the seeds have them: every section the language can say appears in
//! the documents, empty sections are left out or marked （待补充）, never "无", and the new
//! statements survive `charter fmt`.

use assert_cmd::Command as Cmd;
use charter::format::format_text;

fn role_doc(policy: &str, role: &str, lang: &str) -> String {
    let out = Cmd::cargo_bin("charter")
        .unwrap()
        .args(["doc", "role", "--policy", policy, role, "--lang", lang])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn has(doc: &str, texts: &[&str]) {
    for t in texts {
        assert!(doc.contains(t), "missing {t:?} in:\n{doc}");
    }
}

#[test]
fn the_complaint_specialist_has_the_seed_sections() {
    let zh = role_doc("policies/led-maker", "complaint_specialist", "zh");
    has(
        &zh,
        &[
            "## 一、基本信息",
            "| 职位名称 | 客诉专员 | 职位编号 | SA-CS-03 |",
            "| 晋升路径 | 高级客诉专员 → 客服主管 |",
            "| 编制人数 | 3人 |",
            "## 三、组织关系图",
            "n0[\"客诉专员（本职位）\"]",
            "| 工作代理岗位 | 客服专员 |",
            "| 1 | 核实客户投诉产品信息及合理的投诉问题点，并进行登记及分类 | 每天0.5小时 |",
            "| 2 | 每周周一上午10点前对上周客户投诉案件进程跟进分析、总结并提交报告 | 每周1天 |",
            "| 4 | 及时、有效完成上级领导交办的临时性工作 | — | 不定时 |",
            "| 类别 | 权限项目 | 申报 | 审核 | 批准 |",
            "| 费用权限 | 差旅费用报销 | ✓ |  |  |",
            "| 人事权限 | 奖惩建议 | ✓ |  |  |",
            "| 特殊技能 | 风险控制意识 |",
            "## 十一、入职需有资料",
            "- 毕业证",
        ],
    );
    let en = role_doc("policies/led-maker", "complaint_specialist", "en");
    has(
        &en,
        &[
            "| Promotion path | Senior complaint specialist → Customer-service supervisor |",
            "| Expenses | Travel expense claims | ✓ |",
            "Papers required on joining",
            "Work items of each duty",
        ],
    );
}

#[test]
fn pay_grade_knowledge_and_the_catch_all_duty_last() {
    let cqe = role_doc("policies/led-maker", "cqe", "zh");
    has(&cqe, &["| 薪酬等级 | 基本+考核+年终 |", "品质副经理"]);
    let last_duty = cqe
        .lines()
        .find(|l| l.starts_with("| 3 |"))
        .unwrap_or_default();
    assert!(
        last_duty.contains("按时完成品质经理下达的其他各项任务"),
        "{cqe}"
    );
    let manager = role_doc("policies/renovation", "cs_manager", "zh");
    has(
        &manager,
        &["专业知识", "掌握相关的营销学知识", "| 基本技能 |"],
    );
    let row = |n: &str| manager.find(&format!("| {n} |")).unwrap_or(usize::MAX);
    assert!(row("6") < manager.find("完成上级主管安排的临时性工作").unwrap_or(0));
}

/// A role the policy describes only in part: the sections every description needs say
/// （待补充）, the others are left out, and no section says 无 / None.
#[test]
fn no_document_says_none_for_an_empty_section() {
    for policy in [
        "complaint-office",
        "ecommerce-after-sales",
        "led-maker",
        "renovation",
    ] {
        for lang in ["zh", "en"] {
            let out = Cmd::cargo_bin("charter")
                .unwrap()
                .args([
                    "doc",
                    "role",
                    "--all",
                    "--policy",
                    &format!("policies/{policy}"),
                ])
                .args(["--lang", lang])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let doc = String::from_utf8(out).unwrap();
            for line in doc.lines() {
                let cell = line.trim().trim_start_matches("- ");
                assert!(
                    !["无", "None", "—"].contains(&cell),
                    "{policy} ({lang}) says {cell:?} for an empty section"
                );
            }
        }
    }
    let stub = role_doc("policies/led-maker", "sales_manager", "zh");
    has(&stub, &["## 二、职位目的\n\n（待补充）", "（待补充）"]);
    assert!(!stub.contains("工作权限"), "{stub}");
    let stub = role_doc("policies/led-maker", "sales_manager", "en");
    has(&stub, &["(to be completed)"]);
}

#[test]
fn the_new_statements_round_trip_through_fmt() {
    let text = r#"policy p {
  version "1"
  timezone "UTC"
}

role boss "主管" {
}

role clerk "文员" {
  reports_to boss
  pay_grade "基本+考核+年终" en "Base + appraisal + bonus"
  office_grade "B"
  duty calls "接听电话" {
    weight 100%
    measure "当日记录"
    item "接听客户投诉电话" for 0.5 hours per day
    item "填写告知单" ad_hoc
    item "归档"
  }
  duty other "完成上级交办的临时性工作" en "Temporary tasks"
  authority management submit, review "补货申请"
  authority expense submit "差旅费用报销" up to 500 CNY
  authority approve "赔偿"
  requires special_skill "风险控制意识"
  requires papers "身份证"
  requires other "客服礼仪"
  promotes_to "高级文员" en "Senior clerk" -> boss
}
"#;
    assert_eq!(format_text(text).unwrap(), text);
    let messy = text
        .replace("  item \"归档\"\n", "  item   \"归档\";")
        .replace("submit, review", "submit ,review")
        .replace(" -> boss", "->boss");
    assert_eq!(format_text(&messy).unwrap(), text);
    let loaded = charter::syntax::load_text("clerk.charter", text);
    let checked = charter::check::check(&loaded);
    assert!(!checked.has_errors());
}

/// Word cannot show SVG: the role's org chart is a PNG picture whose text alternative is the
/// chart's arrows in words.
#[cfg(feature = "docx")]
#[test]
fn word_draws_the_org_chart_as_a_picture() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("director.docx");
    Cmd::cargo_bin("charter")
        .unwrap()
        .args(["doc", "role", "--policy", "policies/complaint-office"])
        .args(["office_director", "--format", "docx", "-o"])
        .arg(&file)
        .assert()
        .success();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let pictures = (0..archive.len())
        .filter(|&i| archive.by_index(i).unwrap().name().ends_with(".png"))
        .count();
    assert_eq!(pictures, 1);
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains(
            "descr=\"总经理 → 投诉办主任（本职位）; 投诉办主任（本职位） → 投诉处理与协调岗"
        ),
        "no text alternative"
    );
    // The arrows are no longer paragraphs of their own.
    assert!(!xml.contains("<w:t xml:space=\"preserve\">总经理 → "));
}

/// Templates reach the role and each section by name (`role.purpose`, `sections.duties`),
/// whatever the section's number or language; a misspelt name is an error with its line.
#[test]
fn templates_name_the_role_and_its_sections() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("brief.md.j2");
    std::fs::write(
        &good,
        "{{ role.label.text }}（{{ role.code }}）\n{{ sections.duties.title }}: \
         {% for b in sections.duties.blocks %}{{ b.kind }}{% endfor %}\n\
         {{ role.duties | length }} duties\n",
    )
    .unwrap();
    let run = |template: &std::path::Path, lang: &str| {
        Cmd::cargo_bin("charter")
            .unwrap()
            .args([
                "doc",
                "role",
                "--policy",
                "policies/complaint-office",
                "office_director",
            ])
            .args(["--lang", lang, "--template"])
            .arg(template)
            .assert()
    };
    let out = run(&good, "zh").success().get_output().stdout.clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "投诉办主任（CO-00）\n四、工作职责: table\n2 duties"
    );
    let out = run(&good, "en").success().get_output().stdout.clone();
    assert!(String::from_utf8(out).unwrap().contains("4. Duties: table"));

    let bad = dir.path().join("bad.md.j2");
    std::fs::write(&bad, "{{ title }}\n{{ sections.dutes.title }}\n").unwrap();
    run(&bad, "zh")
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}:2: undefined value: `sections.dutes` is undefined",
            bad.display()
        )));
}
