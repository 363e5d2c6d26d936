//! The names a case uses, resolved to the policy's numbers by hashing: its channel,
//! category, severity, attributes, fields and event kinds are each looked up once per case.
//!
//! Event kinds become small numbers: deciding compares every event's kind with the start and
//! stop events of each target, the closing and reopening events, pauses and extensions, many
//! times over. Each version numbers the kinds it knows once.

use smallvec::SmallVec;

use crate::check::{Policy, Target};

/// Names to their positions in a list, by open addressing on a hash of the name's first and
/// last eight bytes (the names of a policy are short words). Each slot holds the name's key,
/// length and position, so a lookup reads one slot per probe; the hash's multiplier is chosen
/// when the index is built so that names sit in the slot they hash to, or near it, and a name
/// the index holds is usually found at the first probe.
#[derive(Debug)]
pub(crate) struct NameIndex {
    names: Vec<String>,
    /// A power of two long, at most half full.
    slots: Vec<Slot>,
    /// The hash's multiplier (odd).
    mul: u64,
}

impl Default for NameIndex {
    fn default() -> Self {
        NameIndex {
            names: Vec::new(),
            slots: Vec::new(),
            mul: MULTIPLIERS[0],
        }
    }
}

/// The multipliers [`NameIndex::settle`] tries, the first also the one an index is built
/// with: odd, with their bits well spread (the first is 2^64 divided by the golden ratio).
const MULTIPLIERS: [u64; 8] = [
    0x9E37_79B9_7F4A_7C15,
    0xBF58_476D_1CE4_E5B9,
    0x94D0_49BB_1331_11EB,
    0xD6E8_FEB8_6659_FD93,
    0xA076_1D64_78BD_642F,
    0xE703_7ED1_A0B4_28DB,
    0x8EBC_6AF0_9C88_C6E3,
    0x5899_65CC_7537_4CC3,
];

/// One slot of a [`NameIndex`]: a name's key (see [`ends`]), length and position, or empty.
#[derive(Debug, Clone, Copy)]
struct Slot {
    first: u64,
    last: u64,
    len: u32,
    /// The position in the list; [`Slot::EMPTY`] for an empty slot.
    at: u32,
}

impl Slot {
    /// An empty slot: its length is no name's, so a probe compares it as any other slot and
    /// tests for emptiness only when the names differ.
    const EMPTY: Slot = Slot {
        first: 0,
        last: 0,
        len: u32::MAX,
        at: u32::MAX,
    };
}

impl NameIndex {
    /// The index of `names`: each found at its position in the list (the first, if the list
    /// repeats it).
    pub fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> NameIndex {
        let mut index = NameIndex::default();
        for name in names {
            index.push(name);
        }
        index.settle();
        index
    }

    /// Lays the names out again with the multiplier, of those [`MULTIPLIERS`] offers, that
    /// leaves the fewest names away from the slot they hash to (the first that leaves none).
    fn settle(&mut self) {
        let mut best = (usize::MAX, self.mul);
        for mul in MULTIPLIERS {
            self.mul = mul;
            let moved = self.place_all();
            if moved < best.0 {
                best = (moved, mul);
            }
            if moved == 0 {
                return;
            }
        }
        self.mul = best.1;
        self.place_all();
    }

    /// Places every name (the first of any repeated) in empty slots, and returns how many
    /// slots past their own they were placed, in all.
    fn place_all(&mut self) -> usize {
        self.slots.iter_mut().for_each(|s| *s = Slot::EMPTY);
        let mut moved = 0;
        for i in 0..self.names.len() {
            if self.get(&self.names[i]).is_none() {
                moved += self.place(i);
            }
        }
        moved
    }

    /// Adds `name` at the next position; a name the index holds already is still found at
    /// its first.
    fn push(&mut self, name: &str) {
        let known = self.get(name).is_some();
        self.names.push(name.to_string());
        if self.slots.len() < self.names.len() * 2 {
            self.slots = vec![Slot::EMPTY; (self.names.len() * 4).next_power_of_two()];
            self.place_all();
        } else if !known {
            self.place(self.names.len() - 1);
        }
    }

    /// The position of `name`, added if the index does not hold it.
    fn intern(&mut self, name: &str) -> usize {
        match self.get(name) {
            Some(i) => i,
            None => {
                self.push(name);
                self.names.len() - 1
            }
        }
    }

    /// Places name `i` in the first empty slot from the one it hashes to, and returns how
    /// many slots past that one it is.
    fn place(&mut self, i: usize) -> usize {
        let mask = self.slots.len() - 1;
        let name = self.names[i].as_bytes();
        let (first, last) = ends(name);
        let mut slot = self.slot_of(first, last, name.len()) & mask;
        let mut moved = 0;
        while self.slots[slot].at != Slot::EMPTY.at {
            slot = (slot + 1) & mask;
            moved += 1;
        }
        self.slots[slot] = Slot {
            first,
            last,
            len: name.len() as u32,
            at: i as u32,
        };
        moved
    }

    /// The hash of a key (see [`ends`]) and length: the high half of its 128-bit product with
    /// the index's multiplier. Every bit of the key has a say in it; in the low half, a bit of
    /// the key changes only the bits from its own upwards, so the bits that number a small
    /// table would not see the key's last bytes, where names such as `cat07` and `cat08` differ.
    #[inline]
    fn slot_of(&self, first: u64, last: u64, len: usize) -> usize {
        let key = first ^ last.rotate_left(29) ^ len as u64;
        ((u128::from(key) * u128::from(self.mul)) >> 64) as usize
    }

    /// The names, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.names.iter().map(String::as_str)
    }

    /// The position of `name`, if the list holds it. A name of up to 16 bytes is its own key,
    /// so the probe compares no text; longer names are found out of line, which keeps this
    /// path free of calls (and of the registers a call would have to save).
    #[inline]
    pub fn get(&self, name: &str) -> Option<usize> {
        let bytes = name.as_bytes();
        if bytes.len() > 16 {
            return self.get_long(bytes);
        }
        let (first, last) = ends(bytes);
        self.probe(first, last, bytes.len(), |_| true)
    }

    /// [`NameIndex::get`] for a name longer than 16 bytes, whose key does not tell it apart.
    #[cold]
    #[inline(never)]
    fn get_long(&self, bytes: &[u8]) -> Option<usize> {
        let (first, last) = ends(bytes);
        self.probe(first, last, bytes.len(), |at| {
            self.names.get(at).is_some_and(|n| n.as_bytes() == bytes)
        })
    }

    /// The position held by the first slot from the key's hash on whose key, length and
    /// position `same` agree, or `None` at an empty slot.
    #[inline]
    fn probe(
        &self,
        first: u64,
        last: u64,
        len: usize,
        same: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = self.slot_of(first, last, len) & mask;
        loop {
            let s = self.slots.get(slot)?;
            if s.first == first && s.last == last && s.len as usize == len && same(s.at as usize) {
                return Some(s.at as usize);
            }
            if s.at == Slot::EMPTY.at {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// A key of `bytes` that, among names of the same length up to 16 bytes, is the name itself:
/// the first and the last eight bytes (four, or single bytes, for shorter names), read as
/// words without copying.
fn ends(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    let u64_at = |i: usize| {
        bytes
            .get(i..i + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let u32_at = |i: usize| {
        bytes
            .get(i..i + 4)
            .and_then(|w| w.try_into().ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let byte = |i: usize| bytes.get(i).map_or(0, |&b| u64::from(b));
    match n {
        8.. => (u64_at(0), u64_at(n - 8)),
        4..8 => (u32_at(0) | u32_at(n - 4) << 32, 0),
        _ => (
            byte(0) | byte(n / 2) << 8 | byte(n.wrapping_sub(1)) << 16,
            0,
        ),
    }
}

/// The names of one version a case is resolved against.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub channels: NameIndex,
    pub categories: NameIndex,
    pub severities: NameIndex,
    pub attributes: NameIndex,
    pub fields: NameIndex,
    pub stages: NameIndex,
    /// Every target's name (SLA and stage targets; a name may repeat).
    pub targets: NameIndex,
    /// By target number: the number of the first target of the same name, so that targets
    /// are compared by name without comparing text.
    pub target_names: Vec<usize>,
    /// By escalation ladder: the number of the first target of the name its `for` gives
    /// (`None`: no `for`, or a name no target has).
    pub ladder_targets: Vec<Option<usize>>,
    /// By the number a target's name has (see `target_names`; a stage's target, its own):
    /// whether an escalation ladder follows the targets of that name.
    pub followed: Vec<bool>,
    pub kinds: Kinds,
}

impl Names {
    pub fn new(policy: &Policy) -> Names {
        let targets = NameIndex::new(numbered_targets(policy).map(|(t, _, _)| t.name.as_str()));
        let target_names: Vec<usize> = numbered_targets(policy)
            .enumerate()
            .map(|(number, (t, _, _))| targets.get(&t.name).unwrap_or(number))
            .collect();
        let ladder_targets: Vec<Option<usize>> = (policy.escalations.iter())
            .map(|l| l.target.as_ref().and_then(|t| targets.get(t)))
            .collect();
        let followed = (0..target_names.len())
            .map(|number| ladder_targets.contains(&Some(number)))
            .collect();
        Names {
            channels: NameIndex::new(policy.channels.iter().map(|c| c.named.name.as_str())),
            categories: NameIndex::new(policy.categories.iter().map(|c| c.name.as_str())),
            severities: NameIndex::new(policy.severities.iter().map(|s| s.name.as_str())),
            attributes: NameIndex::new(policy.attributes.iter().map(|a| a.named.name.as_str())),
            fields: NameIndex::new(policy.fields.iter().map(|f| f.named.name.as_str())),
            stages: NameIndex::new(policy.stages.iter().map(|s| s.named.name.as_str())),
            targets,
            target_names,
            followed,
            ladder_targets,
            kinds: Kinds::new(policy),
        }
    }
}

/// An event kind as a number of one version. Kinds neither the engine nor the policy names
/// are all [`Kind::OTHER`], which matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Kind(u32);

impl Kind {
    pub const RESOLVED: Kind = Kind(0);
    pub const CLOSED: Kind = Kind(1);
    pub const CALLBACK: Kind = Kind(2);
    pub const REOPENED: Kind = Kind(3);
    pub const STAGE: Kind = Kind(4);
    pub const PAUSED: Kind = Kind(5);
    pub const RESUMED: Kind = Kind(6);
    pub const EXTENDED: Kind = Kind(7);
    /// Not an event a case records, but the start of targets that run from receipt.
    pub const RECEIVED: Kind = Kind(8);
    pub const OTHER: Kind = Kind(u32::MAX);

    /// The bit of this kind in a [`KindSet`]; kinds past 63 (and `OTHER`) share the last.
    fn bit(self) -> u64 {
        1 << self.0.min(63)
    }

    /// Whether the event ends the case (until it is reopened).
    pub fn closing(self) -> bool {
        self == Kind::RESOLVED || self == Kind::CLOSED
    }
}

/// The kinds of a case's events, so that deciding can skip looking through the events for a
/// kind the case does not have. A kind numbered past 63 shares the last bit with the others,
/// so for those the set can only say "maybe".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KindSet(u64);

impl KindSet {
    /// Adds `kind`.
    pub fn insert(&mut self, kind: Kind) {
        self.0 |= kind.bit();
    }

    /// Whether an event of `kind` may be in the set (`false`: certainly not).
    pub fn may_have(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }
}

/// The kinds of a case's events, and where they are: bit `i` of a kind's mask is set when
/// event `i` is of that kind. Deciding asks for the first event of a kind after some event many
/// times over (each target's start and stop, the callback's start and the callback itself);
/// with the masks that is a few bit operations instead of a scan whose end the processor
/// cannot predict. Only the first [`EventKinds::EVENTS`] events and the first
/// [`EventKinds::KINDS`] kinds have masks: for the others, [`EventKinds::mask`] says it does
/// not know, and [`EventKinds::may_have`] answers from a [`KindSet`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EventKinds {
    set: KindSet,
    masks: [u64; EventKinds::KINDS],
    /// More events than the masks hold were inserted.
    overflow: bool,
}

impl EventKinds {
    /// The kinds with a mask: the engine's own and the first few a policy names.
    pub const KINDS: usize = 16;
    /// The events a mask holds.
    pub const EVENTS: usize = 64;

    /// Records that event `at` is of `kind`.
    pub fn insert(&mut self, kind: Kind, at: usize) {
        self.set.insert(kind);
        if at >= Self::EVENTS {
            self.overflow = true;
        } else if let Some(mask) = self.masks.get_mut(kind.0 as usize) {
            *mask |= 1 << at;
        }
    }

    /// Whether an event of `kind` may be among the events (`false`: certainly not).
    pub fn may_have(&self, kind: Kind) -> bool {
        self.set.may_have(kind)
    }

    /// The events of `kind` among events `from..end`, as a mask of their indices, or `None`
    /// when the masks do not hold that kind or those events.
    #[inline]
    pub fn mask(&self, kind: Kind, from: usize, end: usize) -> Option<u64> {
        if self.overflow || end > Self::EVENTS {
            return None;
        }
        let below_end = u64::MAX
            .checked_shr((Self::EVENTS - end) as u32)
            .unwrap_or(0);
        let from_on = u64::MAX.checked_shl(from as u32).unwrap_or(0);
        Some(self.masks.get(kind.0 as usize)? & below_end & from_on)
    }
}

/// The kinds the engine itself gives meaning to, numbered as the constants of [`Kind`].
const BUILTIN: [&str; 9] = [
    "resolved", "closed", "callback", "reopened", "stage", "paused", "resumed", "extended",
    "received",
];

/// The event kinds one version knows: the engine's own, then every start and stop event of
/// its targets and every event a callback runs from.
#[derive(Debug, Default)]
pub(crate) struct Kinds {
    names: NameIndex,
    /// By target number (see [`numbered_targets`]): its start event and its stop events.
    targets: Vec<(Kind, SmallVec<[Kind; 1]>)>,
    /// By callback rule: the event its time runs from (`resolved` unless it says).
    callbacks: Vec<Kind>,
}

impl Kinds {
    pub fn new(policy: &Policy) -> Kinds {
        let mut kinds = Kinds {
            names: NameIndex::new(BUILTIN),
            targets: Vec::new(),
            callbacks: Vec::new(),
        };
        for (target, _, _) in numbered_targets(policy) {
            let start = kinds.intern(&target.start);
            let stop = target.stop.iter().map(|s| kinds.intern(s)).collect();
            kinds.targets.push((start, stop));
        }
        for event in &policy.events {
            kinds.intern(&event.name);
        }
        for rule in &policy.callbacks {
            let from = match &rule.within {
                Some((_, from, _)) => kinds.intern(from),
                None => Kind::RESOLVED,
            };
            kinds.callbacks.push(from);
        }
        kinds.names.settle();
        kinds
    }

    fn intern(&mut self, name: &str) -> Kind {
        Kind(self.names.intern(name) as u32)
    }

    /// The kinds the version knows by name, the engine's first.
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.names.names()
    }

    /// The number of kind `name`: [`Kind::OTHER`] when the version does not know it.
    #[inline(always)]
    pub fn code(&self, name: &str) -> Kind {
        self.names.get(name).map_or(Kind::OTHER, |i| Kind(i as u32))
    }

    /// The event the time of callback rule `number` runs from.
    pub fn callback(&self, number: usize) -> Kind {
        self.callbacks.get(number).copied().unwrap_or(Kind::OTHER)
    }

    /// The start event and the stop events of target `number`.
    pub fn target(&self, number: usize) -> (Kind, &[Kind]) {
        match self.targets.get(number) {
            Some((start, stops)) => (*start, stops),
            None => (Kind::OTHER, &[]),
        }
    }
}

/// Every target of `policy` with its SLA (or stage) name and its stage, numbered by position:
/// the targets of the SLA blocks in order, then those of the stages, then the notices of the
/// scope's redirections (`scope`). The number names a
/// target's event kinds and its shared definition.
pub(crate) fn numbered_targets(
    policy: &Policy,
) -> impl Iterator<Item = (&Target, &str, Option<usize>)> {
    policy
        .slas
        .iter()
        .flat_map(|sla| {
            sla.targets
                .iter()
                .map(move |t| (t, sla.named.name.as_str(), None))
        })
        .chain(policy.stages.iter().enumerate().flat_map(|(i, stage)| {
            stage
                .targets
                .iter()
                .map(move |t| (t, stage.named.name.as_str(), Some(i)))
        }))
        .chain(
            (policy.scope.redirects.iter())
                .filter_map(|r| r.notice.as_ref())
                .map(|t| (t, "scope", None)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Names from a tiny alphabet, short and long, share lengths, first and last bytes and
        /// hash slots, and repeat: the index must still tell every one apart, and find each at
        /// its first position in the list.
        #[test]
        fn the_index_finds_exactly_the_names_it_holds(
            names in proptest::collection::vec("[ab_]{0,20}", 0..24),
            others in proptest::collection::vec("[ab_]{0,20}", 0..24),
        ) {
            let index = NameIndex::new(names.iter().map(String::as_str));
            for name in names.iter().chain(&others) {
                let expected = names.iter().position(|n| n == name);
                prop_assert_eq!(index.get(name), expected, "{:?} in {:?}", name, names);
            }
        }
    }

    /// Names that differ only in their last characters, as generated or numbered names do,
    /// spread over the slots: nearly every one is found at the first probe. Hashing on the
    /// low half of the product put `cat00` to `cat49` in five slots.
    #[test]
    fn names_that_differ_at_the_end_spread_over_the_slots() {
        let lists: [Vec<String>; 4] = [
            (0..50).map(|i| format!("cat{i:02}")).collect(),
            (0..64).map(|i| format!("c{i:03}")).collect(),
            (0..40).map(|i| format!("department_{i:04}")).collect(),
            (0..30).map(|i| format!("r{i}")).collect(),
        ];
        for names in lists {
            let mut index = NameIndex::new(names.iter().map(String::as_str));
            let moved = index.place_all();
            assert!(
                moved <= names.len() / 4,
                "{} names from {} sit {moved} slots from their own in all",
                names.len(),
                names[0]
            );
        }
    }

    #[test]
    fn kinds_number_the_engines_events_as_its_constants() {
        let kinds = Kinds::default();
        assert_eq!(
            kinds.code("resolved"),
            Kind::OTHER,
            "an empty table knows nothing"
        );
        let names = NameIndex::new(BUILTIN);
        for (name, kind) in [
            ("resolved", Kind::RESOLVED),
            ("closed", Kind::CLOSED),
            ("callback", Kind::CALLBACK),
            ("reopened", Kind::REOPENED),
            ("stage", Kind::STAGE),
            ("paused", Kind::PAUSED),
            ("resumed", Kind::RESUMED),
            ("extended", Kind::EXTENDED),
            ("received", Kind::RECEIVED),
        ] {
            assert_eq!(
                names.get(name).map(|i| Kind(i as u32)),
                Some(kind),
                "{name}"
            );
        }
        assert_eq!(names.get("acknowledged"), None);
    }

    proptest! {
        /// The masks answer exactly as a scan of the events would, or not at all.
        #[test]
        fn event_kind_masks_agree_with_a_scan(
            kinds in proptest::collection::vec(0u32..20, 0..70),
            kind in 0u32..20,
            from in 0usize..72,
            len in 0usize..72,
        ) {
            let mut places = EventKinds::default();
            for (i, &k) in kinds.iter().enumerate() {
                places.insert(Kind(k), i);
            }
            let end = (from + len).min(kinds.len());
            let from = from.min(end);
            let scan: Vec<usize> = (from..end).filter(|&i| kinds[i] == kind).collect();
            match places.mask(Kind(kind), from, end) {
                Some(mask) => {
                    let bits: Vec<usize> = (0..64).filter(|&i| mask >> i & 1 == 1).collect();
                    prop_assert_eq!(bits, scan);
                }
                None => prop_assert!(
                    kind as usize >= EventKinds::KINDS || kinds.len() > EventKinds::EVENTS,
                    "no answer for kind {} of {} events", kind, kinds.len()
                ),
            }
        }
    }

    #[test]
    fn a_kind_set_never_denies_a_kind_it_holds() {
        let mut set = KindSet::default();
        assert!(!set.may_have(Kind::PAUSED));
        set.insert(Kind::PAUSED);
        set.insert(Kind(70));
        assert!(set.may_have(Kind::PAUSED));
        assert!(!set.may_have(Kind::RESUMED));
        // Kinds past 63 share a bit: any of them may be there, none is denied.
        for k in [63, 64, 70, 1000] {
            assert!(set.may_have(Kind(k)), "kind {k}");
        }
        assert!(set.may_have(Kind::OTHER));
        assert!(!KindSet::default().may_have(Kind(64)));
    }
}
