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
pub fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
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
