//! A case's attributes: a few named values, kept inside the case in name order.
//!
//! A case has a handful of attributes (the shipped policies declare two to four). A
//! `BTreeMap` would put them, and each name, in memory of their own, which deciding must
//! then fetch; here two live in the case itself, and names of up to 24 bytes in their entry.

use std::fmt;

use compact_str::CompactString;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use smallvec::SmallVec;

/// A case's typed attributes by name (the policy's `attribute` declarations): numbers,
/// strings, booleans, or lists of strings for sets. Each name once, in name order, as a
/// JSON object reads and writes them. Reading an object that gives a name twice is an error
/// (which value holds would be a guess); `insert` replaces a name's value.
///
/// ```
/// use charter::decide::Attributes;
/// let mut attributes = Attributes::new();
/// attributes.insert("vip", true);
/// attributes.insert("amount", 8000);
/// assert_eq!(attributes.get("amount"), Some(&8000.into()));
/// let names: Vec<&str> = attributes.iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["amount", "vip"]);
/// assert_eq!(serde_json::to_string(&attributes)?, r#"{"amount":8000,"vip":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    entries: SmallVec<[(CompactString, Value); 2]>,
}

impl Attributes {
    /// No attributes.
    ///
    /// ```
    /// let attributes = charter::decide::Attributes::new();
    /// assert!(attributes.is_empty());
    /// ```
    pub fn new() -> Attributes {
        Attributes::default()
    }

    /// The value of `name`, if the case gives it.
    ///
    /// ```
    /// let attributes: charter::decide::Attributes = [("vip", true)].into_iter().collect();
    /// assert_eq!(attributes.get("vip"), Some(&true.into()));
    /// assert_eq!(attributes.get("amount"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.find(name).ok().map(|i| &self.entries[i].1)
    }

    /// Sets `name` to `value`, returning the value it replaces.
    ///
    /// ```
    /// let mut attributes = charter::decide::Attributes::new();
    /// assert_eq!(attributes.insert("amount", 100), None);
    /// assert_eq!(attributes.insert("amount", 200), Some(100.into()));
    /// ```
    pub fn insert(
        &mut self,
        name: impl Into<CompactString>,
        value: impl Into<Value>,
    ) -> Option<Value> {
        let name = name.into();
        let value = value.into();
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (name, value));
                None
            }
        }
    }

    /// Takes `name` out, returning its value.
    ///
    /// ```
    /// let mut attributes: charter::decide::Attributes = [("amount", 100)].into_iter().collect();
    /// assert_eq!(attributes.remove("amount"), Some(100.into()));
    /// assert!(attributes.is_empty());
    /// ```
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.find(name).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// The attributes in name order.
    ///
    /// ```
    /// let attributes: charter::decide::Attributes = [("vip", false), ("amount", true)].into_iter().collect();
    /// let names: Vec<&str> = attributes.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["amount", "vip"]);
    /// ```
    pub fn iter(&self) -> AttributesIter<'_> {
        AttributesIter {
            entries: self.entries.iter(),
        }
    }

    /// How many there are.
    ///
    /// ```
    /// let attributes: charter::decide::Attributes = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
    /// assert_eq!(attributes.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(charter::decide::Attributes::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes them all.
    ///
    /// ```
    /// let mut attributes: charter::decide::Attributes = [("vip", true)].into_iter().collect();
    /// attributes.clear();
    /// assert_eq!(attributes.len(), 0);
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Where `name` is, or where it would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }
}

impl<K: Into<CompactString>, V: Into<Value>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Attributes {
        let mut attributes = Attributes::new();
        attributes.extend(items);
        attributes
    }
}

impl<K: Into<CompactString>, V: Into<Value>> Extend<(K, V)> for Attributes {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, items: I) {
        for (name, value) in items {
            self.insert(name, value);
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a Value);
    type IntoIter = AttributesIter<'a>;

    fn into_iter(self) -> AttributesIter<'a> {
        self.iter()
    }
}

/// The attributes of an [`Attributes`], in name order ([`Attributes::iter`]).
///
/// ```
/// use serde_json::Value;
/// let attributes: charter::decide::Attributes =
///     [("vip", Value::from(true)), ("amount", Value::from(8000))].into_iter().collect();
/// let mut iter = attributes.iter();
/// assert_eq!(iter.len(), 2);
/// assert_eq!(iter.next(), Some(("amount", &8000.into())));
/// assert_eq!(iter.next(), Some(("vip", &true.into())));
/// assert_eq!(iter.next(), None);
/// ```
#[derive(Debug, Clone)]
pub struct AttributesIter<'a> {
    // A named type rather than a `Map` over a function pointer, which is called indirectly
    // for each attribute where a closure is inlined.
    entries: std::slice::Iter<'a, (CompactString, Value)>,
}

impl<'a> Iterator for AttributesIter<'a> {
    type Item = (&'a str, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<(&'a str, &'a Value)> {
        self.entries.next().map(named)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for AttributesIter<'_> {}

impl DoubleEndedIterator for AttributesIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(named)
    }
}

/// An entry as the iterator gives it.
#[inline]
fn named((name, value): &(CompactString, Value)) -> (&str, &Value) {
    (name.as_str(), value)
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, value) in self {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Attributes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of attributes by name")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut attributes = Attributes::new();
                while let Some((name, value)) = map.next_entry::<CompactString, Value>()? {
                    // Given twice, an attribute has no one value: the case is refused, as a
                    // case's own fields are when given twice.
                    if attributes.get(&name).is_some() {
                        return Err(serde::de::Error::custom(format_args!(
                            "attribute `{name}` is given twice; give each attribute once"
                        )));
                    }
                    attributes.insert(name, value);
                }
                Ok(attributes)
            }
        }
        d.deserialize_map(Entries)
    }
}

/// The schema of a JSON object of values, as `BTreeMap<String, Value>` has it.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Attributes {
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::Attributes;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Any sequence of inserts and removals leaves what a `BTreeMap` would hold, in its
        /// order, and both read and write the same JSON.
        #[test]
        fn attributes_are_a_btree_map(ops in prop::collection::vec((0u8..3, "[a-e]{1,30}", 0i64..5), 0..40)) {
            let mut ours = Attributes::new();
            let mut map = BTreeMap::new();
            for (op, name, value) in ops {
                if op == 0 {
                    prop_assert_eq!(ours.remove(&name), map.remove(&name));
                } else {
                    prop_assert_eq!(ours.insert(name.as_str(), value), map.insert(name.clone(), serde_json::Value::from(value)));
                }
                prop_assert_eq!(ours.get(&name), map.get(&name));
            }
            let pairs: Vec<(&str, &serde_json::Value)> = ours.iter().collect();
            let expected: Vec<(&str, &serde_json::Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            prop_assert_eq!(pairs, expected);
            let json = serde_json::to_string(&map).unwrap();
            prop_assert_eq!(serde_json::to_string(&ours).unwrap(), json.clone());
            let read: Attributes = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(read, ours);
        }
    }

    #[test]
    fn a_name_given_twice_is_refused() {
        let error = serde_json::from_str::<Attributes>(r#"{"b":1,"a":2,"b":3}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("attribute `b` is given twice; give each attribute once"),
            "{error}"
        );
        assert!(serde_json::from_str::<Attributes>("[1]").is_err());
    }
}
