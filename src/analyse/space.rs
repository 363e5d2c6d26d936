//! The space of cases a policy's conditions can tell apart, and exact set algebra over it.
//!
//! Every condition of a policy only ever asks finitely many questions: which category, channel
//! and severity (finite domains), whether a boolean attribute holds, whether a string attribute
//! equals one of the strings the policy mentions, on which side of the numbers the policy
//! mentions a numeric attribute lies, whether a set attribute contains a string the policy
//! mentions. So each dimension splits into finitely many *atoms* (for a number: the points the
//! policy names and the open intervals between them), and every condition is a finite union of
//! *cubes*, products of one atom set per dimension.
//!
//! Unions of cubes are closed under intersection and difference, so "which cases does rule 7
//! take that rules 1–6 do not" is answered exactly, without enumerating the product of all
//! dimensions: a cube constrains only the dimensions its condition mentions, and subtracting one
//! cube from another yields at most one piece per dimension. The cost grows with the number of
//! rules that overlap, not exponentially with the number of attributes.
//!
//! The analysis considers cases that give every attribute; a case missing one is routed by the
//! three-valued rules of `decide` and stops at the first rule that needs it.

use std::fmt::Write as _;

use crate::check::{AttrTest, Cond, Policy};
use crate::vocabulary::{AttrType, CompareOp};

/// A set of atoms of one dimension, as ascending, disjoint, non-adjacent runs `lo..hi`: a set
/// costs in proportion to its runs, not to the size of its dimension, so "amount > 5" over
/// forty thousand numbers is one run, and so is "every category" of a hundred thousand.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bits(Vec<(u32, u32)>);

impl Bits {
    fn empty() -> Bits {
        Bits(Vec::new())
    }

    fn full(size: usize) -> Bits {
        Bits::range(0, size)
    }

    fn range(lo: usize, hi: usize) -> Bits {
        let mut b = Bits::empty();
        b.push(lo, hi);
        b
    }

    /// Appends the run `lo..hi`, which starts at or after the last run's end.
    fn push(&mut self, lo: usize, hi: usize) {
        let (lo, hi) = (to_u32(lo), to_u32(hi));
        if lo >= hi {
            return;
        }
        match self.0.last_mut() {
            Some(last) if last.1 >= lo => last.1 = last.1.max(hi),
            _ => self.0.push((lo, hi)),
        }
    }

    /// The atoms of `list` (each below `size`).
    fn from_list(size: usize, list: &[usize]) -> Bits {
        let mut sorted: Vec<usize> = list.iter().copied().filter(|&i| i < size).collect();
        sorted.sort_unstable();
        let mut b = Bits::empty();
        for i in sorted {
            b.push(i, i + 1);
        }
        b
    }

    /// The atoms `i` below `size` with `op.holds(i, at)`: at most two runs.
    fn compared(size: usize, op: CompareOp, at: usize) -> Bits {
        let at = at.min(size);
        let next = (at + 1).min(size);
        let mut b = Bits::empty();
        match op {
            CompareOp::Eq => b.push(at, next),
            CompareOp::Ne => {
                b.push(0, at);
                b.push(next, size);
            }
            CompareOp::Lt => b.push(0, at),
            CompareOp::Le => b.push(0, next),
            CompareOp::Gt => b.push(next, size),
            CompareOp::Ge => b.push(at, size),
        }
        b
    }

    fn contains(&self, i: usize) -> bool {
        let i = to_u32(i);
        let k = self.0.partition_point(|r| r.1 <= i);
        self.0.get(k).is_some_and(|r| r.0 <= i)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Walks the overlaps of two sets' runs, in order.
    fn overlaps<'a>(&'a self, other: &'a Bits) -> impl Iterator<Item = (u32, u32)> + 'a {
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            while let (Some(a), Some(b)) = (self.0.get(i), other.0.get(j)) {
                let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
                if a.1 <= b.1 {
                    i += 1;
                } else {
                    j += 1;
                }
                if lo < hi {
                    return Some((lo, hi));
                }
            }
            None
        })
    }

    fn intersects(&self, other: &Bits) -> bool {
        self.overlaps(other).next().is_some()
    }

    fn and(&self, other: &Bits) -> Bits {
        Bits(self.overlaps(other).collect())
    }

    fn and_not(&self, other: &Bits) -> Bits {
        let mut out = Bits::empty();
        let mut j = 0;
        for &(lo, hi) in &self.0 {
            let mut at = lo;
            while let Some(&(b_lo, b_hi)) = other.0.get(j) {
                if b_hi <= at {
                    j += 1;
                    continue;
                }
                if b_lo >= hi {
                    break;
                }
                out.push(at as usize, b_lo.max(at) as usize);
                at = b_hi.min(hi);
                if b_hi > hi {
                    break;
                }
                j += 1;
            }
            out.push(at as usize, hi as usize);
        }
        out
    }

    fn union<'a>(sets: impl Iterator<Item = &'a Bits>) -> Bits {
        let mut runs: Vec<(u32, u32)> = sets.flat_map(|b| b.0.iter().copied()).collect();
        runs.sort_unstable();
        let mut out = Bits::empty();
        for (lo, hi) in runs {
            match out.0.last_mut() {
                Some(last) if last.1 >= lo => last.1 = last.1.max(hi),
                _ => out.0.push((lo, hi)),
            }
        }
        out
    }

    fn not(&self, size: usize) -> Bits {
        Bits::full(size).and_not(self)
    }

    fn count(&self) -> usize {
        self.0.iter().map(|r| (r.1 - r.0) as usize).sum()
    }

    /// The atoms in the set, ascending: in proportion to the atoms, not to the dimension.
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().flat_map(|&(lo, hi)| lo as usize..hi as usize)
    }
}

/// An atom's index: dimensions are sized by what a policy of at most a few million items names.
fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// What a dimension stands for.
#[derive(Debug, Clone)]
enum Dim {
    Category,
    Channel,
    Severity,
    /// A boolean attribute: atom 0 false, 1 true.
    Bool(usize),
    /// A string attribute: one atom per string the policy mentions, then one for any other.
    Text(usize, Vec<String>),
    /// A number attribute: with points p0 < … < pn-1, atom 2i+1 is pi and atom 2i the open
    /// interval below it; atom 2n is everything above pn-1.
    Number(usize, Vec<f64>),
    /// Whether a set attribute contains a string: atom 0 no, 1 yes.
    Contains(usize, String),
}

/// A product of one atom set per dimension: the cases matching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cube(Vec<Bits>);

/// A union of cubes.
pub(crate) type Region = Vec<Cube>;

/// Unions of cubes larger than this are not pursued: the analysis reports nothing rather than
/// run away on a pathological condition.
const LIMIT: usize = 20_000;

/// The cube operations (intersections, subtractions, comparisons) one space does before it
/// gives up as it does past [`LIMIT`]: unions under the limit can still take quadratic work,
/// and a condition of a dozen `(a or b)` clauses multiplied out took minutes. The shipped
/// policies need under a hundred, a generated table of 1,000 routes about 40,000 and a
/// generated policy of 200 roles about 120,000.
const WORK: u64 = 2_000_000;

/// The dimensions of one policy.
pub(crate) struct Space<'p> {
    policy: &'p Policy,
    dims: Vec<Dim>,
    sizes: Vec<usize>,
    /// Whether severities are said as ranges (`severity >= major`); not when the space
    /// stands for two versions that order them differently.
    ranked: bool,
    /// Cube operations done so far, against [`WORK`] (atomic: a space prepared once answers
    /// the questions of a batch's threads).
    spent: std::sync::atomic::AtomicU64,
}

impl<'p> Space<'p> {
    /// The space of the questions asked by every condition of `policy`.
    pub(crate) fn new(policy: &'p Policy) -> Space<'p> {
        Space::over(policy, conditions(policy))
    }

    /// The space of the questions asked by `conds`, over the categories, channels, severities
    /// and attributes `policy` declares (for a comparison: a vocabulary that holds both
    /// versions' names, and both versions' conditions written against it).
    pub(crate) fn over<'c>(policy: &'p Policy, conds: impl Iterator<Item = &'c Cond>) -> Space<'p> {
        let mut dims = vec![Dim::Category, Dim::Channel, Dim::Severity];
        let mut texts: Vec<Vec<String>> = vec![Vec::new(); policy.attributes.len()];
        let mut numbers: Vec<Vec<f64>> = vec![Vec::new(); policy.attributes.len()];
        let mut contains: Vec<(usize, String)> = Vec::new();
        let mut used = vec![false; policy.attributes.len()];
        let mut visit = |c: &Cond| {
            collect(c, &mut |i, test| {
                used[i] = true;
                match test {
                    AttrTest::Text(_, s) => texts[i].push(s.clone()),
                    AttrTest::TextIn(list) => texts[i].extend(list.iter().cloned()),
                    AttrTest::Number(_, n) => numbers[i].push(*n),
                    AttrTest::NumberIn(list) => numbers[i].extend(list.iter().copied()),
                    AttrTest::Contains(s) => contains.push((i, s.clone())),
                    AttrTest::True | AttrTest::Bool(..) => {}
                }
            })
        };
        for c in conds {
            visit(c);
        }
        for (i, attr) in policy.attributes.iter().enumerate() {
            if !used[i] {
                continue;
            }
            match attr.ty {
                AttrType::Bool => dims.push(Dim::Bool(i)),
                AttrType::String => {
                    let mut list = std::mem::take(&mut texts[i]);
                    list.sort();
                    list.dedup();
                    dims.push(Dim::Text(i, list));
                }
                AttrType::Number => {
                    let mut list = std::mem::take(&mut numbers[i]);
                    list.sort_by(f64::total_cmp);
                    list.dedup();
                    dims.push(Dim::Number(i, list));
                }
                AttrType::Set => {}
            }
        }
        contains.sort();
        contains.dedup();
        dims.extend(contains.into_iter().map(|(i, s)| Dim::Contains(i, s)));
        let sizes = dims
            .iter()
            .map(|d| match d {
                // A dimension never has fewer than one atom, or every cube would be empty.
                Dim::Category => policy.categories.len().max(1),
                Dim::Channel => policy.channels.len().max(1),
                Dim::Severity => policy.severities.len().max(1),
                Dim::Bool(_) | Dim::Contains(..) => 2,
                Dim::Text(_, list) => list.len() + 1,
                Dim::Number(_, list) => 2 * list.len() + 1,
            })
            .collect();
        Space {
            policy,
            dims,
            sizes,
            ranked: true,
            spent: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The same space, saying severities as lists, never as ranges.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn unranked(mut self) -> Space<'p> {
        self.ranked = false;
        self
    }

    /// Whether `cube` asks about attribute `attribute` (any test of it).
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn asks_about(&self, cube: &Cube, attribute: usize) -> bool {
        (self.dims.iter().enumerate()).any(|(d, dim)| {
            let of = match dim {
                Dim::Bool(i) | Dim::Text(i, _) | Dim::Number(i, _) | Dim::Contains(i, _) => *i,
                Dim::Category | Dim::Channel | Dim::Severity => return false,
            };
            of == attribute && cube.0[d].count() < self.sizes[d]
        })
    }

    /// Every case.
    pub(crate) fn everything(&self) -> Cube {
        Cube(self.sizes.iter().map(|&n| Bits::full(n)).collect())
    }

    /// The cases of these categories.
    pub(crate) fn categories(&self, list: &[usize]) -> Cube {
        self.restrict(0, list)
    }

    /// The cases arriving on this channel.
    pub(crate) fn channel(&self, channel: usize) -> Cube {
        self.restrict(1, &[channel])
    }

    fn restrict(&self, dim: usize, atoms: &[usize]) -> Cube {
        let mut cube = self.everything();
        cube.0[dim] = Bits::from_list(self.sizes[dim], atoms);
        cube
    }

    /// The cases matching `cond`, or `None` when the union would be too large to pursue.
    pub(crate) fn region(&self, cond: &Cond) -> Option<Region> {
        self.dnf(cond, false)
    }

    fn dnf(&self, cond: &Cond, negated: bool) -> Option<Region> {
        match (cond, negated) {
            (Cond::Not(inner), _) => self.dnf(inner, !negated),
            (Cond::And(parts), false) | (Cond::Or(parts), true) => {
                let mut acc = vec![self.everything()];
                for part in parts {
                    let next = self.dnf(part, negated)?;
                    acc = self.intersect(&acc, &next)?;
                }
                Some(acc)
            }
            (Cond::Or(parts), false) | (Cond::And(parts), true) => {
                let mut acc = Vec::new();
                for part in parts {
                    acc.extend(self.dnf(part, negated)?);
                    if acc.len() > LIMIT {
                        return None;
                    }
                }
                Some(acc)
            }
            _ => {
                let (dim, bits) = self.atom(cond)?;
                let bits = if negated {
                    bits.not(self.sizes[dim])
                } else {
                    bits
                };
                if bits.is_empty() {
                    return Some(Vec::new());
                }
                let mut cube = self.everything();
                cube.0[dim] = bits;
                Some(vec![cube])
            }
        }
    }

    /// The dimension a simple condition asks about, and the atoms for which it holds.
    fn atom(&self, cond: &Cond) -> Option<(usize, Bits)> {
        let position = |want: &dyn Fn(&Dim) -> bool| self.dims.iter().position(want);
        Some(match cond {
            Cond::Category(list) => (0, Bits::from_list(self.sizes[0], list)),
            Cond::Channel(list) => (1, Bits::from_list(self.sizes[1], list)),
            Cond::Severity(op, rank) => (2, Bits::compared(self.sizes[2], *op, *rank)),
            Cond::SeverityIn(list) => (2, Bits::from_list(self.sizes[2], list)),
            Cond::Attribute(a, AttrTest::Contains(s)) => {
                let d = position(&|d| matches!(d, Dim::Contains(x, t) if x == a && t == s))?;
                (d, Bits::range(1, 2))
            }
            Cond::Attribute(a, test) => {
                let d = position(&|d| match d {
                    Dim::Bool(x) | Dim::Text(x, _) | Dim::Number(x, _) => x == a,
                    _ => false,
                })?;
                let size = self.sizes[d];
                let bits = match (&self.dims[d], test) {
                    (Dim::Bool(_), AttrTest::True) => Bits::range(1, 2),
                    (Dim::Bool(_), AttrTest::Bool(eq, b)) => {
                        let at = usize::from(b == eq);
                        Bits::range(at, at + 1)
                    }
                    // The lists are sorted: each string or number the test names is found by
                    // binary search, so a test costs in proportion to what it names.
                    (Dim::Text(_, list), AttrTest::Text(eq, s)) => {
                        let op = if *eq { CompareOp::Eq } else { CompareOp::Ne };
                        // A string outside the list (there is none: the list holds every string
                        // a condition names) sits with the "any other" atom.
                        let at = list.binary_search(s).unwrap_or(list.len());
                        Bits::compared(size, op, at)
                    }
                    (Dim::Text(_, list), AttrTest::TextIn(wanted)) => {
                        let at: Vec<usize> = wanted
                            .iter()
                            .filter_map(|t| list.binary_search(t).ok())
                            .collect();
                        Bits::from_list(size, &at)
                    }
                    (Dim::Number(_, points), AttrTest::Number(op, n)) => {
                        Bits::compared(size, *op, 2 * number_at(points, *n)? + 1)
                    }
                    (Dim::Number(_, points), AttrTest::NumberIn(wanted)) => {
                        let at: Vec<usize> = wanted
                            .iter()
                            .filter_map(|n| number_at(points, *n))
                            .map(|i| 2 * i + 1)
                            .collect();
                        Bits::from_list(size, &at)
                    }
                    _ => return None,
                };
                (d, bits)
            }
            Cond::And(_) | Cond::Or(_) | Cond::Not(_) => return None,
        })
    }

    /// For each category, whether `when` (always, when `None`) holds for some case of it, or
    /// `None` when the condition is too large to analyse. Linear in the categories.
    pub(crate) fn categories_admitted(&self, when: Option<&Cond>) -> Option<Vec<bool>> {
        let size = self.sizes[0];
        let Some(cond) = when else {
            return Some(vec![true; size]);
        };
        let bits = Bits::union(self.region(cond)?.iter().map(|cube| &cube.0[0]));
        let mut admitted = vec![false; size];
        bits.ones().for_each(|i| admitted[i] = true);
        Some(admitted)
    }

    /// The categories of the cases of `region`, ascending.
    pub(crate) fn categories_of(&self, region: &[Cube]) -> Vec<usize> {
        Bits::union(region.iter().map(|cube| &cube.0[0]))
            .ones()
            .collect()
    }

    /// Whether a block with condition `when` (always, when `None`) can apply to some case of
    /// `cases`. A condition too large to analyse counts as able to: the analysis never
    /// reports what it could not prove.
    pub(crate) fn may_apply(&self, when: Option<&Cond>, cases: &Cube) -> bool {
        let Some(cond) = when else { return true };
        self.region(cond)
            .and_then(|r| self.intersect(&r, std::slice::from_ref(cases)))
            .is_none_or(|r| !r.is_empty())
    }

    /// Counts `n` cube operations; `false` once the space has done more than [`WORK`].
    fn afford(&self, n: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let spent = self
            .spent
            .fetch_add(n as u64, Relaxed)
            .saturating_add(n as u64);
        spent <= WORK
    }

    /// A fresh budget of [`WORK`] for the next question, for a space prepared once that
    /// answers one question per case (with several threads asking, each question gets at
    /// least its budget, and at most the budget of each thread).
    #[cfg_attr(
        not(feature = "batch"),
        allow(dead_code, reason = "used by counterfactuals, which need `batch`")
    )]
    pub(crate) fn renew(&self) {
        self.spent.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Pairwise intersections of two unions.
    pub(crate) fn intersect(&self, a: &[Cube], b: &[Cube]) -> Option<Region> {
        let mut out = Vec::new();
        for x in a {
            if !self.afford(b.len()) {
                return None;
            }
            for y in b {
                if let Some(z) = self.meet(x, y) {
                    out.push(z);
                    if out.len() > LIMIT {
                        return None;
                    }
                }
            }
        }
        Some(out)
    }

    /// The intersection of two cubes, if not empty.
    pub(crate) fn meet(&self, a: &Cube, b: &Cube) -> Option<Cube> {
        if !overlaps(a, b) {
            return None;
        }
        Some(Cube(a.0.iter().zip(&b.0).map(|(x, y)| x.and(y)).collect()))
    }

    /// `region` without the cases of every cube of `cubes`, or `None` when that grows too
    /// large.
    pub(crate) fn subtract_all(&self, region: Region, cubes: &[Cube]) -> Option<Region> {
        cubes
            .iter()
            .try_fold(region, |rest, cube| self.subtract(rest, cube))
    }

    /// `region` without the cases of `cube`, or `None` when that grows too large.
    pub(crate) fn subtract(&self, region: Region, cube: &Cube) -> Option<Region> {
        if !self.afford(region.len()) {
            return None;
        }
        let mut out = Vec::with_capacity(region.len());
        for piece in region {
            if !overlaps(&piece, cube) {
                out.push(piece);
                continue;
            }
            // Peel off, dimension by dimension, the part of `piece` outside `cube`.
            let mut rest = piece;
            for d in 0..rest.0.len() {
                let outside = rest.0[d].and_not(&cube.0[d]);
                if !outside.is_empty() {
                    let mut part = rest.clone();
                    part.0[d] = outside;
                    out.push(part);
                    rest.0[d] = rest.0[d].and(&cube.0[d]);
                }
            }
            if out.len() > LIMIT {
                return None;
            }
        }
        Some(out)
    }

    /// Where a case lies: its atom in each dimension, `None` where it does not say (no
    /// severity, an attribute missing or of another type). `attribute` gives a case's value of
    /// the policy's attribute `i`.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn locate<'v>(
        &self,
        category: usize,
        channel: usize,
        severity: Option<usize>,
        attribute: &dyn Fn(usize) -> Option<&'v serde_json::Value>,
    ) -> Vec<Option<usize>> {
        (self.dims.iter())
            .map(|dim| match dim {
                Dim::Category => Some(category),
                Dim::Channel => Some(channel),
                Dim::Severity => severity,
                Dim::Bool(i) => attribute(*i)?.as_bool().map(usize::from),
                Dim::Text(i, list) => {
                    let text = attribute(*i)?.as_str()?;
                    Some(
                        list.binary_search_by(|s| s.as_str().cmp(text))
                            .unwrap_or(list.len()),
                    )
                }
                Dim::Number(i, points) => {
                    let n = attribute(*i)?.as_f64()?;
                    let below = points.partition_point(|p| *p < n);
                    Some(if points.get(below) == Some(&n) {
                        2 * below + 1
                    } else {
                        2 * below
                    })
                }
                Dim::Contains(i, s) => {
                    let list = attribute(*i)?.as_array()?;
                    Some(usize::from(list.iter().any(|v| v.as_str() == Some(s))))
                }
            })
            .collect()
    }

    /// Whether the case at `point` (an atom per dimension) is one of `cube`'s.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn holds(cube: &Cube, point: &[usize]) -> bool {
        cube.0
            .iter()
            .zip(point)
            .all(|(bits, &atom)| bits.contains(atom))
    }

    /// Whether `cube` takes every atom of dimension `d`: it asks nothing of that fact.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn asks_nothing(&self, cube: &Cube, d: usize) -> bool {
        cube.0[d].count() == self.sizes[d]
    }

    /// How many dimensions the space has, and atoms dimension `d` has.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn shape(&self) -> &[usize] {
        &self.sizes
    }

    /// The cases whose atom in dimension `d` is one of `atoms`, as a condition on that one
    /// fact (`severity >= major`, `amount > 5000`).
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn one_fact(&self, d: usize, atoms: &[usize]) -> Cond {
        let bits = Bits::from_list(self.sizes[d], atoms);
        self.dim_cond(&self.dims[d], &bits, self.sizes[d])
    }

    /// The cases of `cube` as a condition over the policy's names: one test per dimension the
    /// cube constrains (`None` when it constrains none: every case).
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn cube_cond(&self, cube: &Cube) -> Option<Cond> {
        let mut parts = Vec::new();
        for (d, dim) in self.dims.iter().enumerate() {
            let bits = &cube.0[d];
            let size = self.sizes[d];
            if bits.count() == size {
                continue;
            }
            parts.push(self.dim_cond(dim, bits, size));
        }
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Cond::And(parts)),
        }
    }

    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    fn dim_cond(&self, dim: &Dim, bits: &Bits, size: usize) -> Cond {
        let chosen: Vec<usize> = bits.ones().collect();
        let left: Vec<usize> = (0..size).filter(|&i| !bits.contains(i)).collect();
        // A list, or "not" the shorter list of what is left out.
        let listed = |make: &dyn Fn(Vec<usize>) -> Cond| {
            if left.len() < chosen.len() {
                Cond::Not(Box::new(make(left.clone())))
            } else {
                make(chosen.clone())
            }
        };
        match dim {
            Dim::Category => listed(&Cond::Category),
            Dim::Channel => listed(&Cond::Channel),
            Dim::Severity => {
                let contiguous = self.ranked && chosen.windows(2).all(|w| w[1] == w[0] + 1);
                match (chosen.first(), chosen.last()) {
                    (Some(&lo), Some(&hi)) if lo == hi => Cond::SeverityIn(vec![lo]),
                    (Some(&lo), Some(_)) if contiguous && left.iter().all(|&i| i < lo) => {
                        Cond::Severity(CompareOp::Ge, lo)
                    }
                    (Some(_), Some(&hi)) if contiguous && left.iter().all(|&i| i > hi) => {
                        Cond::Severity(CompareOp::Le, hi)
                    }
                    _ => Cond::SeverityIn(chosen),
                }
            }
            Dim::Bool(i) => Cond::Attribute(*i, AttrTest::Bool(true, bits.contains(1))),
            Dim::Contains(i, s) => {
                let test = Cond::Attribute(*i, AttrTest::Contains(s.clone()));
                if bits.contains(1) {
                    test
                } else {
                    Cond::Not(Box::new(test))
                }
            }
            Dim::Text(i, list) => {
                let named = |atoms: &[usize]| -> Vec<String> {
                    atoms.iter().filter_map(|&a| list.get(a).cloned()).collect()
                };
                if bits.contains(list.len()) {
                    match named(&left).as_slice() {
                        [one] => Cond::Attribute(*i, AttrTest::Text(false, one.clone())),
                        many => Cond::Not(Box::new(Cond::Attribute(
                            *i,
                            AttrTest::TextIn(many.to_vec()),
                        ))),
                    }
                } else {
                    match named(&chosen).as_slice() {
                        [one] => Cond::Attribute(*i, AttrTest::Text(true, one.clone())),
                        many => Cond::Attribute(*i, AttrTest::TextIn(many.to_vec())),
                    }
                }
            }
            Dim::Number(i, points) => number_cond(*i, points, bits, size),
        }
    }

    /// A case of `cube`: its category, channel and severity, and a value for every attribute
    /// the space asks about (numbers inside the cube's intervals, a string the policy does
    /// not name for "any other").
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn example(&self, cube: &Cube) -> Example {
        let first = |d: usize| cube.0[d].ones().next().unwrap_or(0);
        let mut attributes: Vec<(usize, serde_json::Value)> = Vec::new();
        for (d, dim) in self.dims.iter().enumerate() {
            let atom = first(d);
            let value = match dim {
                Dim::Category | Dim::Channel | Dim::Severity => continue,
                Dim::Bool(i) => (*i, serde_json::Value::Bool(atom == 1)),
                Dim::Text(i, list) => {
                    let text = match list.get(atom) {
                        Some(s) => s.clone(),
                        None => other_text(list),
                    };
                    (*i, serde_json::Value::String(text))
                }
                Dim::Number(i, points) => (*i, serde_json::json!(number_in(points, atom))),
                Dim::Contains(i, s) => {
                    let slot = match attributes.iter().position(|(a, _)| a == i) {
                        Some(k) => k,
                        None => {
                            attributes.push((*i, serde_json::Value::Array(Vec::new())));
                            attributes.len() - 1
                        }
                    };
                    if atom == 1
                        && let serde_json::Value::Array(list) = &mut attributes[slot].1
                    {
                        list.push(serde_json::Value::String(s.clone()));
                    }
                    continue;
                }
            };
            attributes.push(value);
        }
        Example {
            category: first(0),
            channel: first(1),
            severity: first(2),
            attributes,
        }
    }

    /// The same cases as `region` in cubes that do not overlap (a condition's union may hold
    /// overlapping cubes: `a or b`), or `None` when that grows too large.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn disjoint(&self, region: Region) -> Option<Region> {
        let mut out: Region = Vec::with_capacity(region.len());
        for cube in region {
            let mut pieces = vec![cube];
            for kept in &out {
                if pieces.is_empty() {
                    break;
                }
                pieces = self.subtract(pieces, kept)?;
            }
            out.extend(pieces);
            if out.len() > LIMIT {
                return None;
            }
        }
        Some(out)
    }

    /// The same cases as `region`, in fewer cubes where two differ in one dimension only
    /// (cubes that did not overlap still do not).
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn merged(&self, mut region: Region) -> Region {
        loop {
            let mut joined = false;
            let mut i = 0;
            while i < region.len() {
                // Past the budget the region stays as it is: the same cases, less merged.
                if !self.afford(region.len() - i) {
                    return region;
                }
                let mut j = i + 1;
                while j < region.len() {
                    let (a, b) = (&region[i], &region[j]);
                    let differing: Vec<usize> =
                        (0..a.0.len()).filter(|&d| a.0[d] != b.0[d]).collect();
                    if let [d] = differing.as_slice() {
                        let d = *d;
                        let union = Bits::union([&a.0[d], &b.0[d]].into_iter());
                        region[i].0[d] = union;
                        region.swap_remove(j);
                        joined = true;
                        continue;
                    }
                    j += 1;
                }
                i += 1;
            }
            if !joined {
                return region;
            }
        }
    }

    /// `cube`, with every dimension it constrains no further than `within` opened to every
    /// atom: the cases it names among those of `within`, said without repeating `within`.
    #[cfg_attr(
        not(feature = "render"),
        allow(
            dead_code,
            reason = "used by the comparison of versions (`diff`), which needs `render`"
        )
    )]
    pub(crate) fn relative(&self, cube: &Cube, within: &Cube) -> Cube {
        Cube(
            (cube.0.iter().zip(&within.0).zip(&self.sizes))
                .map(|((c, w), &n)| if c == w { Bits::full(n) } else { c.clone() })
                .collect(),
        )
    }

    /// A cube in the language's words, naming only what it constrains beyond `within`, e.g.
    /// `severity >= major, amount > 5000`.
    pub(crate) fn describe(&self, cube: &Cube, within: &Cube) -> String {
        let mut parts = Vec::new();
        for (d, dim) in self.dims.iter().enumerate() {
            let bits = &cube.0[d];
            let size = self.sizes[d];
            if bits.count() == size || *bits == within.0[d] {
                continue;
            }
            parts.push(self.describe_dim(dim, bits, size));
        }
        if parts.is_empty() {
            "any case".to_string()
        } else {
            parts.join(", ")
        }
    }

    fn describe_dim(&self, dim: &Dim, bits: &Bits, size: usize) -> String {
        let p = self.policy;
        let attr = |i: usize| p.attributes[i].named.name.as_str();
        let names = |what: &str, all: Vec<&str>| {
            let chosen: Vec<&str> = bits.ones().filter_map(|i| all.get(i).copied()).collect();
            let left: Vec<&str> = (0..size)
                .filter(|&i| !bits.contains(i))
                .filter_map(|i| all.get(i).copied())
                .collect();
            match (chosen.as_slice(), left.as_slice()) {
                ([one], _) => format!("{what} = {one}"),
                (_, [one]) if chosen.len() > 2 => format!("{what} != {one}"),
                (_, _) if left.len() < chosen.len() => {
                    format!("{what} not in [{}]", left.join(", "))
                }
                _ => format!("{what} in [{}]", chosen.join(", ")),
            }
        };
        match dim {
            Dim::Category => names(
                "category",
                p.categories.iter().map(|c| c.name.as_str()).collect(),
            ),
            Dim::Channel => names(
                "channel",
                p.channels.iter().map(|c| c.named.name.as_str()).collect(),
            ),
            Dim::Severity => {
                let all: Vec<&str> = p.severities.iter().map(|s| s.name.as_str()).collect();
                let chosen: Vec<usize> = bits.ones().collect();
                let contiguous = chosen.windows(2).all(|w| w[1] == w[0] + 1);
                match (chosen.first(), chosen.last()) {
                    (Some(&lo), Some(&hi)) if lo == hi => format!("severity = {}", all[lo]),
                    (Some(&lo), Some(&hi)) if contiguous && hi + 1 == size && lo > 0 => {
                        format!("severity >= {}", all[lo])
                    }
                    (Some(&0), Some(&hi)) if contiguous && hi + 1 < size && hi > 0 => {
                        format!("severity <= {}", all[hi])
                    }
                    _ => names("severity", all),
                }
            }
            Dim::Bool(i) => {
                if bits.contains(1) {
                    attr(*i).to_string()
                } else {
                    format!("not {}", attr(*i))
                }
            }
            Dim::Contains(i, s) => {
                if bits.contains(1) {
                    format!("{} contains {s:?}", attr(*i))
                } else {
                    format!("not {} contains {s:?}", attr(*i))
                }
            }
            Dim::Text(i, list) => {
                let quoted: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
                let chosen: Vec<&str> = bits
                    .ones()
                    .filter_map(|i| quoted.get(i).map(String::as_str))
                    .collect();
                if bits.contains(list.len()) {
                    let excluded: Vec<&str> = (0..list.len())
                        .filter(|&i| !bits.contains(i))
                        .map(|i| quoted[i].as_str())
                        .collect();
                    match excluded.as_slice() {
                        [one] => format!("{} != {one}", attr(*i)),
                        _ => format!("{} not in [{}]", attr(*i), excluded.join(", ")),
                    }
                } else if let [one] = chosen.as_slice() {
                    format!("{} = {one}", attr(*i))
                } else {
                    format!("{} in [{}]", attr(*i), chosen.join(", "))
                }
            }
            Dim::Number(i, points) => describe_number(attr(*i), points, bits, size),
        }
    }
}

#[cfg_attr(
    not(feature = "render"),
    allow(
        dead_code,
        reason = "used by the comparison of versions (`diff`), which needs `render`"
    )
)]
/// A case of a cube, by index into the policy's lists: see [`Space::example`].
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub(crate) category: usize,
    pub(crate) channel: usize,
    pub(crate) severity: usize,
    /// Attribute index and value.
    pub(crate) attributes: Vec<(usize, serde_json::Value)>,
}

#[cfg_attr(
    not(feature = "render"),
    allow(
        dead_code,
        reason = "used by the comparison of versions (`diff`), which needs `render`"
    )
)]
/// A string none of `list` is.
fn other_text(list: &[String]) -> String {
    let mut text = "other".to_string();
    while list.contains(&text) {
        text.push('_');
    }
    text
}

#[cfg_attr(
    not(feature = "render"),
    allow(
        dead_code,
        reason = "used by the comparison of versions (`diff`), which needs `render`"
    )
)]
/// A number of atom `atom` of a number dimension with `points`: the point itself, or one
/// inside the open interval (a whole number when there is one).
fn number_in(points: &[f64], atom: usize) -> f64 {
    if atom % 2 == 1 {
        return points[atom / 2];
    }
    let k = atom / 2;
    match (k.checked_sub(1).and_then(|i| points.get(i)), points.get(k)) {
        (None, None) => 0.0,
        (None, Some(&hi)) => (hi - 1.0).floor(),
        (Some(&lo), None) => (lo + 1.0).floor(),
        (Some(&lo), Some(&hi)) => {
            let mid = (lo + hi) / 2.0;
            [mid.floor(), lo.floor() + 1.0]
                .into_iter()
                .find(|&n| lo < n && n < hi)
                .unwrap_or(mid)
        }
    }
}

#[cfg_attr(
    not(feature = "render"),
    allow(
        dead_code,
        reason = "used by the comparison of versions (`diff`), which needs `render`"
    )
)]
/// The atoms of a number dimension as a condition: a point, or an interval, or several of
/// them as alternatives.
fn number_cond(attr: usize, points: &[f64], bits: &Bits, size: usize) -> Cond {
    let test = |op: CompareOp, v: f64| Cond::Attribute(attr, AttrTest::Number(op, v));
    let mut alternatives: Vec<Cond> = Vec::new();
    for &(lo, hi) in &bits.0 {
        let (lo, hi) = (lo as usize, hi as usize - 1);
        if lo == hi && lo % 2 == 1 {
            alternatives.push(test(CompareOp::Eq, points[lo / 2]));
            continue;
        }
        let lower = match lo {
            0 => None,
            l if l % 2 == 0 => Some(test(CompareOp::Gt, points[l / 2 - 1])),
            l => Some(test(CompareOp::Ge, points[l / 2])),
        };
        let upper = match hi {
            h if h + 1 == size => None,
            h if h % 2 == 0 => Some(test(CompareOp::Lt, points[h / 2])),
            h => Some(test(CompareOp::Le, points[h / 2])),
        };
        alternatives.push(match (lower, upper) {
            (Some(a), Some(b)) => Cond::And(vec![a, b]),
            (Some(a), None) | (None, Some(a)) => a,
            // Every number: only when the dimension is whole, which the caller skips.
            (None, None) => Cond::And(Vec::new()),
        });
    }
    match alternatives.len() {
        1 => alternatives.pop().unwrap_or(Cond::And(Vec::new())),
        _ => Cond::Or(alternatives),
    }
}

/// Runs of contiguous atoms as intervals: `amount > 5000`, `100 <= units < 500`, `units = 3`.
/// Where `n` stands among the sorted, distinct `points`.
fn number_at(points: &[f64], n: f64) -> Option<usize> {
    let i = points.partition_point(|p| *p < n);
    (points.get(i) == Some(&n)).then_some(i)
}

fn describe_number(name: &str, points: &[f64], bits: &Bits, size: usize) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in bits.ones() {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            _ => runs.push((i, i)),
        }
    }
    let text = |v: f64| {
        let mut s = String::new();
        let _ = write!(s, "{v}");
        s
    };
    let described: Vec<String> = runs
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi && lo % 2 == 1 {
                return format!("{name} = {}", text(points[lo / 2]));
            }
            // Lower bound: an even atom starts just above the previous point.
            let lower = match lo {
                0 => None,
                l if l % 2 == 0 => Some((">", points[l / 2 - 1])),
                l => Some((">=", points[l / 2])),
            };
            let upper = match hi {
                h if h + 1 == size => None,
                h if h % 2 == 0 => Some(("<", points[h / 2])),
                h => Some(("<=", points[h / 2])),
            };
            match (lower, upper) {
                (None, None) => format!("any {name}"),
                (Some((op, v)), None) => format!("{name} {op} {}", text(v)),
                (None, Some((op, v))) => format!("{name} {op} {}", text(v)),
                (Some((lop, lv)), Some((uop, uv))) => {
                    let flipped = if lop == ">" { "<" } else { "<=" };
                    format!("{} {flipped} {name} {uop} {}", text(lv), text(uv))
                }
            }
        })
        .collect();
    described.join(" or ")
}

fn overlaps(a: &Cube, b: &Cube) -> bool {
    a.0.iter().zip(&b.0).all(|(x, y)| x.intersects(y))
}

/// Every condition of the policy whose questions the space must be able to tell apart.
fn conditions(policy: &Policy) -> impl Iterator<Item = &Cond> {
    let rules = policy.routes.iter().chain(&policy.calendar_rules);
    rules
        .map(|r| &r.when)
        .chain(policy.slas.iter().filter_map(|s| s.when.as_ref()))
        .chain(policy.escalations.iter().filter_map(|e| e.when.as_ref()))
        .chain(policy.callbacks.iter().filter_map(|c| c.when.as_ref()))
}

/// Calls `f` with every attribute test inside `cond`.
fn collect(cond: &Cond, f: &mut impl FnMut(usize, &AttrTest)) {
    match cond {
        Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| collect(p, f)),
        Cond::Not(inner) => collect(inner, f),
        Cond::Attribute(i, test) => f(*i, test),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    //! The run-list sets against `BTreeSet`, for every operation the algebra uses.

    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::{Bits, CompareOp};

    const SIZE: usize = 200;

    fn set() -> impl Strategy<Value = Vec<usize>> {
        // Runs as well as scattered atoms: a few ranges, plus single points.
        (
            prop::collection::vec((0..SIZE, 0..40usize), 0..4),
            prop::collection::vec(0..SIZE + 5, 0..12),
        )
            .prop_map(|(runs, points)| {
                let mut all = points;
                for (lo, len) in runs {
                    all.extend(lo..(lo + len).min(SIZE));
                }
                all
            })
    }

    fn model(list: &[usize]) -> BTreeSet<usize> {
        list.iter().copied().filter(|&i| i < SIZE).collect()
    }

    fn atoms(b: &Bits) -> BTreeSet<usize> {
        b.ones().collect()
    }

    /// Runs ascending, non-empty, neither overlapping nor touching: equal sets compare equal.
    fn normal(b: &Bits) -> bool {
        b.0.iter().all(|r| r.0 < r.1) && b.0.windows(2).all(|w| w[0].1 < w[1].0)
    }

    proptest! {
        #[test]
        fn operations_agree_with_sets(a in set(), b in set(), probe in 0..SIZE) {
            let (x, y) = (Bits::from_list(SIZE, &a), Bits::from_list(SIZE, &b));
            let (sa, sb) = (model(&a), model(&b));
            prop_assert!(normal(&x));
            prop_assert_eq!(atoms(&x), sa.clone());
            prop_assert_eq!(x.count(), sa.len());
            prop_assert_eq!(x.contains(probe), sa.contains(&probe));
            prop_assert_eq!(x.is_empty(), sa.is_empty());
            let and = x.and(&y);
            prop_assert!(normal(&and));
            prop_assert_eq!(atoms(&and), &sa & &sb);
            let and_not = x.and_not(&y);
            prop_assert!(normal(&and_not));
            prop_assert_eq!(atoms(&and_not), &sa - &sb);
            let union = Bits::union([&x, &y].into_iter());
            prop_assert!(normal(&union));
            prop_assert_eq!(atoms(&union), &sa | &sb);
            prop_assert_eq!(x.intersects(&y), !(&sa & &sb).is_empty());
            let all: BTreeSet<usize> = (0..SIZE).collect();
            prop_assert_eq!(atoms(&x.not(SIZE)), &all - &sa);
            prop_assert_eq!(x == y, sa == sb);
        }

        #[test]
        fn comparisons_agree_with_their_operator(at in 0..SIZE + 2, size in 1..SIZE) {
            use CompareOp::*;
            for op in [Eq, Ne, Lt, Le, Gt, Ge] {
                let b = Bits::compared(size, op, at);
                prop_assert!(normal(&b));
                let want: BTreeSet<usize> =
                    (0..size).filter(|&i| op.holds(i as f64, at.min(size) as f64)).collect();
                prop_assert_eq!(atoms(&b), want, "{:?} {}", op, at);
            }
        }
    }
}
