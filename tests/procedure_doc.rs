//! The procedure as a procedure: each step described, terms defined, responsibilities, and a
//! flowchart with its decisions laid out in layers (SVG in HTML, a picture in Word).

use std::path::Path;

use assert_cmd::Command as Cmd;
use charter::check::{Policy, check};
use charter::render::{Block, Flowchart, Gaps, Lang, Shape, layout, procedure};
use charter::syntax::load;

fn policy(dir: &str) -> Policy {
    let checked = check(&load(Path::new(dir)));
    checked.versions.into_iter().last().unwrap()
}

fn chart(dir: &str, lang: Lang) -> Flowchart {
    let doc = procedure(&policy(dir), None, lang);
    doc.blocks
        .into_iter()
        .find_map(|b| match b {
            Block::Flowchart { chart, .. } => Some(chart),
            _ => None,
        })
        .expect("a flowchart")
}

fn doc(args: &[&str]) -> String {
    let out = Cmd::cargo_bin("charter")
        .unwrap()
        .arg("doc")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn titles(chart: &Flowchart, shape: Shape) -> Vec<String> {
    (chart.nodes.iter())
        .filter(|n| n.shape == shape)
        .map(|n| n.lines[0].clone())
        .collect()
}

#[test]
fn every_step_is_a_box_and_every_decision_a_diamond() {
    let chart = chart("policies/complaint-office", Lang::Zh);
    let boxes = titles(&chart, Shape::Process);
    for step in ["受理登记", "分类评估", "质量监督", "结果反馈", "归档"] {
        assert_eq!(
            boxes.iter().filter(|b| *b == step).count(),
            1,
            "{step}: {boxes:?}"
        );
    }
    // `by routed`: one box per role complaints are routed to.
    assert_eq!(
        boxes.iter().filter(|b| *b == "处理").count(),
        3,
        "{boxes:?}"
    );
    let decisions = titles(&chart, Shape::Decision);
    assert_eq!(
        decisions,
        [
            "属于受理范围？",
            "信息完整？",
            "按分派规则分派",
            "处理结果未满足客户的合理诉求？",
            "客户对处理结果不满意？",
        ]
    );
    let terminals = titles(&chart, Shape::Terminal);
    assert_eq!(
        terminals,
        ["收到投诉", "告知客户原因，引导至信息技术部服务台", "结束"]
    );
    // Review send-back and reopen go back to the routing decision, saying that the case
    // returns to the role that handled it; completion goes back to intake.
    let routing = (chart.nodes.iter())
        .position(|n| n.lines[0] == "按分派规则分派")
        .unwrap();
    let back: Vec<_> = (chart.edges.iter())
        .filter(|e| e.to == routing && e.label.is_some())
        .collect();
    assert_eq!(back.len(), 2, "{:?}", chart.edges);
    assert!(
        back.iter()
            .all(|e| e.label.as_deref() == Some("是，退回原承办岗位"))
    );
}

/// In the LED maker's procedure only major quality complaints go through the 8D steps
/// (analysis by the CQE, then the report issued by the complaint specialist): the chart asks
/// once, before both, and the other cases go past both.
#[test]
fn a_step_for_some_cases_is_asked_for() {
    let chart = chart("policies/led-maker", Lang::En);
    let asks: Vec<usize> = (chart.nodes.iter().enumerate())
        .filter(|(_, n)| n.shape == Shape::Decision && n.lines[0].contains("Product quality"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(asks.len(), 1, "one question for the two 8D steps");
    let ask = asks[0];
    let node = |title: &str| {
        (chart.nodes.iter())
            .position(|n| n.lines[0] == title)
            .unwrap()
    };
    let (analyse, issue) = (
        node("Root-cause analysis (8D)"),
        node("8D report: issue and follow-up"),
    );
    let out: Vec<_> = chart.edges.iter().filter(|e| e.from == ask).collect();
    assert!(
        out.iter()
            .any(|e| e.to == analyse && e.label.as_deref() == Some("Yes"))
    );
    assert!((chart.edges.iter()).any(|e| e.from == analyse && e.to == issue && e.label.is_none()));
    let no = out
        .iter()
        .find(|e| e.label.as_deref() == Some("No"))
        .unwrap();
    assert!(no.to != analyse && no.to != issue);
    assert!((chart.edges.iter()).any(|e| e.from == issue && e.to == no.to));
}

/// The layered layout keeps boxes apart and puts every forward arrow's target below its
/// source, with a cycle in the graph.
#[test]
fn the_layout_keeps_boxes_apart() {
    let sizes = [
        (80.0, 30.0),
        (120.0, 40.0),
        (60.0, 30.0),
        (90.0, 50.0),
        (70.0, 30.0),
    ];
    let edges = [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4), (4, 1)];
    let gaps = Gaps {
        node: 20.0,
        layer: 30.0,
        margin: 10.0,
    };
    let at = layout(&sizes, &edges, gaps);
    for i in 0..sizes.len() {
        for j in i + 1..sizes.len() {
            let ((xi, yi), (xj, yj)) = (at.centres[i], at.centres[j]);
            let apart_x = (xi - xj).abs() >= (sizes[i].0 + sizes[j].0) / 2.0 + gaps.node - 0.01;
            let apart_y = (yi - yj).abs() >= (sizes[i].1 + sizes[j].1) / 2.0;
            assert!(apart_x || apart_y, "boxes {i} and {j} overlap: {at:?}");
        }
    }
    for &(a, b) in &edges[..5] {
        assert!(at.centres[a].1 < at.centres[b].1, "{a} → {b}: {at:?}");
    }
    // Every arrow is drawn from box to box.
    assert!(at.edges.iter().all(|e| e.len() >= 2));
    let inside = |p: (f64, f64)| p.0 >= 0.0 && p.0 <= at.width && p.1 >= 0.0 && p.1 <= at.height;
    assert!(at.edges.iter().flatten().all(|&p| inside(p)), "{at:?}");
}

/// An arrow drawn back up (a send-back loop) never runs along another arrow: with a split
/// into three handlers, their merge, and two loops back to the split, as in the complaint
/// office's procedure.
#[test]
fn loops_run_in_lanes_of_their_own() {
    let sizes = [(80.0, 30.0); 10];
    let edges = [
        (0, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 5),
        (3, 5),
        (4, 5),
        (5, 6),
        (6, 1),
        (6, 7),
        (7, 8),
        (8, 1),
        (8, 9),
    ];
    let gaps = Gaps {
        node: 20.0,
        layer: 36.0,
        margin: 10.0,
    };
    let at = layout(&sizes, &edges, gaps);
    let segments = |e: usize| -> Vec<((f64, f64), (f64, f64))> {
        at.edges[e].windows(2).map(|w| (w[0], w[1])).collect()
    };
    let along = |(p, q): ((f64, f64), (f64, f64)), (r, t): ((f64, f64), (f64, f64))| {
        let horizontal = |a: (f64, f64), b: (f64, f64)| (a.1 - b.1).abs() < 0.01;
        let vertical = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 0.01;
        let overlap =
            |a: f64, b: f64, c: f64, d: f64| a.max(b).min(c.max(d)) - a.min(b).max(c.min(d)) > 0.5;
        (horizontal(p, q)
            && horizontal(r, t)
            && (p.1 - r.1).abs() < 0.01
            && overlap(p.0, q.0, r.0, t.0))
            || (vertical(p, q)
                && vertical(r, t)
                && (p.0 - r.0).abs() < 0.01
                && overlap(p.1, q.1, r.1, t.1))
    };
    for back in [8, 11] {
        for other in (0..edges.len()).filter(|&e| e != back) {
            // Two loops to the same box may join for their last stretch, into its side.
            let join = |e: usize| {
                let n = segments(e).len();
                if edges[other].1 == edges[back].1 && [8, 11].contains(&other) {
                    n.saturating_sub(2)
                } else {
                    n
                }
            };
            for s in segments(back).into_iter().take(join(back)) {
                for o in segments(other).into_iter().take(join(other)) {
                    assert!(
                        !along(s, o),
                        "loop {back} runs along edge {other}: {s:?} {o:?}\n{at:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn html_draws_the_flowchart_as_svg() {
    let html = doc(&[
        "procedure",
        "--policy",
        "policies/complaint-office",
        "--format",
        "html",
    ]);
    let svg = html
        .split("<svg")
        .find(|s| s.contains("class=\"chart flowchart\""))
        .unwrap();
    assert!(svg.contains("<title>投诉处理程序流程图</title>"), "{svg}");
    assert!(svg.contains("Noto Sans CJK SC"));
    for step in ["受理登记", "分类评估", "质量监督", "结果反馈", "归档"] {
        assert!(svg.contains(&format!(">{step}</text>")), "{step}");
    }
    assert_eq!(
        svg.matches(" Z\" fill=\"#fdf6e3\"").count(),
        5,
        "five diamonds"
    );
    assert!(svg.contains(">属于受理范围？</text>") && svg.contains(">信息完整？</text>"));
    assert!(svg.matches(">是</text>").count() >= 2);
    assert_eq!(svg.matches(">是，退回原承办岗位</text>").count(), 2);
    assert!(svg.matches("marker-end=\"url(#flow-arrow)\"").count() >= 20);
}

/// An attribute's `means` is defined in the procedure's terms, and survives `charter fmt`; a
/// yes-or-no attribute without one is listed as still to be defined.
#[test]
fn attributes_are_defined_in_the_terms() {
    let text = std::fs::read_to_string("tests/fixtures/lint/impossible_separation.charter")
        .unwrap()
        + "\nattribute serious \"重大投诉\" en \"Serious complaint\" { type bool  means \"涉及人身安全的投诉\" en \"A complaint involving personal safety\" }\n\
           attribute member \"会员\" { type bool }\n\
           attribute refund \"退款金额\" { type number }\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.charter");
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();
    let zh = doc(&["procedure", "--policy", path]);
    for expected in [
        "### 案件属性",
        "| 重大投诉 | 涉及人身安全的投诉 |",
        "| 会员 | （待补充） |",
    ] {
        assert!(zh.contains(expected), "no {expected:?} in\n{zh}");
    }
    assert!(!zh.contains("| 退款金额 |"), "{zh}");
    let en = doc(&["procedure", "--policy", path, "--lang", "en"]);
    assert!(en.contains("| Serious complaint | A complaint involving personal safety |"));
    Cmd::cargo_bin("charter")
        .unwrap()
        .args(["fmt", path])
        .assert()
        .success();
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(
        formatted.contains("{ type bool  means \"涉及人身安全的投诉\" en \"A complaint involving personal safety\" }"),
        "{formatted}"
    );
    assert_eq!(doc(&["procedure", "--policy", path]), zh);
}

#[test]
fn each_step_is_described_and_terms_defined() {
    let md = doc(&["procedure", "--policy", "policies/complaint-office"]);
    for expected in [
        "## 二、术语和定义",
        "| 服务质量 | 对服务态度和服务质量的投诉 |",
        "## 三、职责",
        "| 投诉办主任 | 负责处理、质量监督；",
        "## 四、工作程序",
        "### 1. 受理登记",
        "负责：投诉处理与协调岗；时限：1个工作小时内",
        "- 倾听客户的问题和诉求，用规范的记录表格记录投诉的基本信息",
        "记录：投诉人姓名、联系方式、投诉时间、投诉事项的具体内容、涉及的业务环节或产品",
        "表单：《投诉登记表》",
        "本步骤完成后：不属于受理范围的，告知客户原因，引导至信息技术部服务台；信息不完整的，",
        "本步骤完成后：客户对处理结果不满意的，退回“处理”重新办理。",
        "```mermaid\nflowchart TD",
        "| 《投诉档案》 | 归档 |",
    ] {
        assert!(md.contains(expected), "no {expected:?} in\n{md}");
    }
    let en = doc(&[
        "procedure",
        "--policy",
        "policies/led-maker",
        "--lang",
        "en",
    ]);
    for expected in [
        "## 2. Terms and definitions",
        "Applies to: the category is Product quality and the severity is Major",
        "Forms: “8D report”",
        "After this step: if the customer is dissatisfied at the installation callback, the case goes back to “Coordinate”.",
    ] {
        assert!(en.contains(expected), "no {expected:?} in\n{en}");
    }
}

#[cfg(feature = "docx")]
#[test]
fn word_shows_the_flowchart_as_a_picture_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("procedure.docx");
    Cmd::cargo_bin("charter")
        .unwrap()
        .args([
            "doc",
            "procedure",
            "--policy",
            "policies/complaint-office",
            "--format",
            "docx",
            "-o",
        ])
        .arg(&file)
        .assert()
        .success();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let pictures: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().to_string())
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .collect();
    assert_eq!(pictures.len(), 1, "{pictures:?}");
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(&pictures[0]).unwrap(), &mut png).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("descr=\"投诉处理程序流程图：（1）收到投诉"),
        "no text alternative"
    );
    // The chart in words follows the picture.
    assert!(xml.contains("流程图文字说明"));
}

/// The terms say what a working day and hour are on each calendar a limit counts on: days with
/// the same hours together, holidays and make-up days, the valid range; a calendar that is
/// only a list of holidays others use is not one of them.
#[test]
fn the_terms_say_what_working_time_is() {
    let zh = doc(&["procedure", "--policy", "policies/ecommerce-after-sales"]);
    assert!(
        zh.contains("| 在线客服时间 | 周一至周日 09:00–22:00 |"),
        "{zh}"
    );
    assert!(zh.contains(
        "| 维修中心工作时间 | 周一至周五 08:30–17:30；节假日不计（日历列出36个休息日）；调休上班日6天计入；日历有效至2026年12月31日 |"
    ));
    assert!(!zh.contains("| 中国2026年节假日 |"));
    let en = doc(&[
        "procedure",
        "--policy",
        "policies/complaint-office",
        "--lang",
        "en",
    ]);
    assert!(
        en.contains("Mon–Fri 09:00–12:00, 13:30–18:00; holidays excluded"),
        "{en}"
    );
}
