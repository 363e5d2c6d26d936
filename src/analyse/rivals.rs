//! Which route rules can share cases, found through an index by category: comparing the rules
//! of a policy costs in proportion to the pairs that can meet, not to every pair, so a policy
//! of ten thousand rules, each about its own few categories, is analysed in linear time.

use crate::analyse::space::{Region, Space};

/// A rule whose cases span more categories than this is compared with every other rule:
/// indexing it under each category would cost more than the comparisons it saves.
const NARROW: usize = 64;

/// The rules of each category, and the rules compared with all.
pub(crate) struct Rivals {
    /// Per category, the narrow rules having cases in it, ascending.
    by_category: Vec<Vec<usize>>,
    /// Rules spanning many categories, or too large to analyse, ascending.
    wide: Vec<usize>,
    /// Per rule, its categories when narrow.
    narrow: Vec<Option<Vec<usize>>>,
}

impl Rivals {
    /// The index of `regions`, one per route rule (`None`: too large to analyse).
    pub(crate) fn new(space: &Space<'_>, regions: &[Option<Region>], categories: usize) -> Rivals {
        let mut index = Rivals {
            by_category: vec![Vec::new(); categories],
            wide: Vec::new(),
            narrow: Vec::with_capacity(regions.len()),
        };
        for (i, region) in regions.iter().enumerate() {
            let narrow = region
                .as_ref()
                .map(|r| space.categories_of(r))
                .filter(|list| list.len() <= NARROW);
            match &narrow {
                Some(list) => list.iter().for_each(|&c| index.by_category[c].push(i)),
                None => index.wide.push(i),
            }
            index.narrow.push(narrow);
        }
        index
    }

    /// The rules before rule `i` that may share cases with it, in rule order. A rule left out
    /// has no category in common with rule `i`, so no case either.
    pub(crate) fn earlier(&self, i: usize) -> Vec<usize> {
        let Some(mine) = &self.narrow[i] else {
            return (0..i).collect();
        };
        let below = |list: &[usize]| list.partition_point(|&j| j < i);
        let mut out: Vec<usize> = self.wide[..below(&self.wide)].to_vec();
        for &c in mine {
            let bucket = &self.by_category[c];
            out.extend_from_slice(&bucket[..below(bucket)]);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The rules that may take cases of `category`, in rule order.
    pub(crate) fn of_category(&self, category: usize) -> Vec<usize> {
        let mut out = self.wide.clone();
        out.extend_from_slice(&self.by_category[category]);
        out.sort_unstable();
        out
    }
}
