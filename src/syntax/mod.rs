//! Stage 1, text -> AST: reads policy files (a file, or a folder of `.charter` files, following
//! `import`s), parses each with the pest grammar in `grammar/charter.pest` and lowers it to the
//! [`ast`] at once. No pest type leaves this module.
//!
//! ```
//! use charter::syntax::ast::Item;
//! let loaded = charter::syntax::load_text("p.charter", "channel web \"Web\"\nrole clerk \"Clerk\" {}");
//! let (_, file) = &loaded.files[0];
//! assert!(matches!(file.items[0].node, Item::Channel(..)));
//! assert!(matches!(file.items[1].node, Item::Role(..)));
//! ```

pub mod ast;
mod comments;
mod depth;
mod error;
mod parser;
mod recover;
mod sources;

pub use crate::source::{FileId, Sources, Span};
pub use comments::{Comment, comments, is_layout};
pub use depth::MAX_DEPTH;
pub use error::SyntaxError;
pub use parser::{Parsed, label_spans, parse, parse_all};
pub use recover::{MAX_REPORTED, MAX_WORK};
#[cfg(any(feature = "cli", feature = "serve"))]
pub(crate) use sources::collect as charter_files;
#[cfg(any(feature = "cli", feature = "serve"))]
pub(crate) use sources::read_bounded;
pub use sources::{
    Loaded, MAX_FILE, import_root, load, load_overlay, load_sources, load_text, load_within,
};
