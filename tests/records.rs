//! Decision records: the case's canonical form is RFC 8785, held to a general implementation
//! (canon-json) on random cases, and read back it is the same case.

use charter::decide::Case;
use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

/// Strings with what needs escaping, non-ASCII (CJK) and characters beyond U+FFFF, whose
/// UTF-16 order differs from their UTF-8 order.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('"'),
            Just('\\'),
            Just('\n'),
            Just('\u{1}'),
            Just('\u{7f}'),
            Just('投'),
            Just('\u{e000}'),
            Just('\u{ffff}'),
            Just('😀'),
            Just('/'),
        ],
        0..6,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just(5000.0),
            Just(1e21),
            Just(1e-7),
            Just(0.1),
            Just(-0.0),
            Just(1e20)
        ]
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        number(),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn case() -> impl Strategy<Value = Case> {
    (
        text(),
        proptest::collection::btree_map(text(), value(), 0..4),
        proptest::collection::btree_map(text(), value(), 0..3),
        proptest::option::of(text()),
        proptest::collection::vec((0i64..86_400, text(), proptest::option::of(text()), proptest::option::of(any::<bool>())), 0..3),
        -50_000i32..50_000,
    )
        .prop_map(|(id, attributes, fields, severity, events, offset)| {
            let offset = offset / 60 * 60;
            let at = |secs: i64| charter::decide::Timestamp { secs: 1_796_000_000 + secs, offset };
            let mut case = Case::from_json(r#"{"id":"x","received_at":"2026-11-16T10:00:00+08:00","channel":"web","category":"billing"}"#).unwrap();
            case.id = id.into();
            case.received_at = at(0);
            case.attributes = attributes.into_iter().collect();
            case.fields = fields;
            case.severity = severity.map(Into::into);
            case.events = events
                .into_iter()
                .map(|(secs, kind, note, satisfied)| {
                    let mut event: charter::decide::Event =
                        serde_json::from_str(r#"{"at":"2026-11-16T10:00:00+08:00","kind":"x"}"#).unwrap();
                    event.at = at(secs);
                    event.kind = kind.into();
                    event.note = note.clone();
                    event.via = note.map(Into::into);
                    event.satisfied = satisfied;
                    event
                })
                .collect();
            case
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Our writer gives what a general RFC 8785 implementation gives for the same case.
    #[test]
    fn the_canonical_case_is_rfc_8785(case in case()) {
        let ours = charter::record::canonical_case(&case);
        let mut theirs = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut theirs, canon_json::CanonicalFormatter::new());
        case.serialize(&mut serializer).unwrap();
        prop_assert_eq!(&ours, std::str::from_utf8(&theirs).unwrap());
        // Read back, it is the same case: the same canonical form and digest.
        let back = Case::from_json(&ours).unwrap();
        prop_assert_eq!(charter::record::canonical_case(&back), ours);
        prop_assert_eq!(charter::record::input_digest(&back), charter::record::input_digest(&case));
    }
}
