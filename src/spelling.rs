//! "Did you mean …?": the nearest of a set of names to a name that is not among them. Used by
//! the parser (keywords), the checker (declared names) and deciding (a case's names).

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo.
///
/// ```
/// use charter::spelling::nearest;
/// let names = ["billing", "service_quality", "product_quality"];
/// assert_eq!(nearest("biling", names.into_iter()), Some("billing"));
/// assert_eq!(nearest("refund", names.into_iter()), None);
/// ```
///
/// Only distances up to 3 count, so each candidate costs time in proportion to its length,
/// however long the name: a name of a million characters is compared in milliseconds.
pub fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name: Vec<char> = name.chars().collect();
    let limit = (name.len() / 3).clamp(1, 3);
    let mut chars = Vec::new();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        chars.clear();
        chars.extend(c.chars());
        let Some(d) = within(&name, &chars, limit) else {
            continue;
        };
        if best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The distance of `a` and `b` when it is at most `limit`: only the cells within `limit` of
/// the diagonal can hold such a distance, so only they are computed, and a row whose every
/// cell is past `limit` ends the search.
fn within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let past = limit + 1;
    let mut previous: Vec<usize> = (0..=b.len()).map(|j| j.min(past)).collect();
    let mut row = vec![past; b.len() + 1];
    for i in 1..=a.len() {
        let (lo, hi) = (i.saturating_sub(limit).max(1), (i + limit).min(b.len()));
        row[0] = i.min(past);
        row[lo - 1] = if lo == 1 { row[0] } else { past };
        let mut least = row[lo - 1];
        for j in lo..=hi {
            let substitute = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let cell = substitute
                .min(previous[j] + 1)
                .min(row[j - 1] + 1)
                .min(past);
            row[j] = cell;
            least = least.min(cell);
        }
        if let Some(next) = row.get_mut(hi + 1) {
            *next = past;
        }
        if least > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut row);
    }
    Some(previous[b.len()]).filter(|&d| d <= limit)
}

/// Levenshtein distance over characters.
///
/// ```
/// assert_eq!(charter::spelling::distance("amout", "amount"), 1);
/// // A swap of two letters is two edits.
/// assert_eq!(charter::spelling::distance("amuont", "amount"), 2);
/// assert_eq!(charter::spelling::distance("投诉", "投诉办"), 1);
/// ```
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{distance, within};
    use proptest::prelude::*;

    proptest! {
        /// The banded distance is the full one wherever that is within the limit, and
        /// nothing otherwise.
        #[test]
        fn within_is_the_distance_up_to_the_limit(
            a in "[abc投]{0,12}",
            b in "[abc投]{0,12}",
            limit in 1usize..=3,
        ) {
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let d = distance(&a, &b);
            prop_assert_eq!(within(&x, &y, limit), (d <= limit).then_some(d));
        }
    }
}
