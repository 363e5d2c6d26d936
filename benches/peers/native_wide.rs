//! `native-wide`: the hand-written match of `native`, reading its case out of a record as large
//! as the one charter's engines read theirs from ([`CharterInput`]: a `decide::Case` and the
//! instant it is decided at), one word from every 64 bytes of it, as charter's validation reads
//! every part of a `Case`.
//!
//! The matching is `native`'s, rule for rule. What differs is the size of the input a pass
//! streams through memory: some 320 bytes a case instead of `native`'s 12. The difference between
//! the two is what reading a case that size costs, which no engine taking such a case can go
//! below; it separates that cost from the work of deciding.

use std::hint::black_box;
use std::mem::size_of;

use crate::engine::Engine;
use crate::engines::charter::CharterInput;
use crate::engines::native::Native;
use crate::workload::{Case, Rule};

/// Words after the case, so that the record is as large as a [`CharterInput`].
const REST: usize = (size_of::<CharterInput>() - size_of::<Case>()) / size_of::<u64>();

/// `native`'s case followed by filler, as large as charter's input.
#[repr(C)]
pub struct WideInput {
    case: Case,
    rest: [u64; REST],
}

pub struct NativeWide {
    native: Native,
}

impl Engine for NativeWide {
    type Input = WideInput;

    fn name() -> &'static str {
        "native-wide"
    }

    fn prepare(rules: &[Rule]) -> Result<Self, String> {
        Ok(NativeWide {
            native: Native::prepare(rules)?,
        })
    }

    fn marshal(&self, case: &Case) -> WideInput {
        WideInput {
            case: *case,
            rest: [u64::from(case.amount); REST],
        }
    }

    fn decide(&self, input: &WideInput) -> String {
        // One word of every cache line the record spans; `black_box` keeps the reads.
        let touched = input.rest.iter().step_by(8).fold(0, |x, w| x ^ w);
        black_box(touched);
        self.native.decide(&input.case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_as_large_as_charters_input() {
        let wide = size_of::<WideInput>();
        let charter = size_of::<CharterInput>();
        assert!(
            wide <= charter && charter - wide < size_of::<u64>(),
            "native-wide reads {wide} bytes a case, charter {charter}"
        );
    }
}
