//! SVG drawings as PNG pictures, for Word, which cannot show SVG (feature `docx`). Text is
//! drawn with the system's fonts, so Chinese needs a CJK font installed (Noto Sans CJK,
//! WenQuanYi, …): the SVG names such fonts first.

use std::sync::OnceLock;

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{Options, Tree, fontdb};

/// Pixels per SVG unit: twice the size, sharp when printed.
const SCALE: f32 = 2.0;

/// A PNG of `svg`, with its width and height in pixels at 96 dpi (before [`SCALE`]).
pub fn png(svg: &str) -> Result<(Vec<u8>, u32, u32), String> {
    let mut options = Options {
        font_family: "Noto Sans CJK SC".into(),
        ..Options::default()
    };
    *options.fontdb_mut() = fonts().clone();
    let tree =
        Tree::from_str(svg, &options).map_err(|e| format!("the chart is not valid SVG: {e}"))?;
    let size = tree.size();
    let (w, h) = (size.width().ceil().max(1.0), size.height().ceil().max(1.0));
    let mut pixmap = Pixmap::new((w * SCALE) as u32, (h * SCALE) as u32)
        .ok_or_else(|| "the chart is too large to draw".to_string())?;
    resvg::render(
        &tree,
        Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|e| format!("the chart could not be written as PNG: {e}"))?;
    Ok((bytes, w as u32, h as u32))
}

/// The system's fonts, loaded once.
fn fonts() -> &'static fontdb::Database {
    static FONTS: OnceLock<fontdb::Database> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db.set_sans_serif_family("Noto Sans CJK SC");
        db
    })
}
