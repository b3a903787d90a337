//! A chart's SVG made ready to sit inside the page: no XML prolog, an accessible name, and
//! sized by the stylesheet instead of by its pixel size.

use maud::{Markup, PreEscaped, html};

/// `svg` (a whole SVG document, as plotters writes it) as inline markup: whatever comes
/// before the `<svg` tag (an XML prolog, a doctype, a comment) is dropped; the tag gains
/// `role="img"` and `aria-label`, and its first child is a `<title>` with `label` (read by
/// screen readers, shown as a tooltip).
/// The `width` and `height` stay (a page without its stylesheet still draws the chart at its
/// size) but the stylesheet scales it to the column; its `viewBox` keeps the proportions.
pub(super) fn inline(svg: &[u8], label: &str) -> Markup {
    let text = String::from_utf8_lossy(svg);
    let Some(start) = text.find("<svg") else {
        // Not an SVG: show nothing rather than foreign markup (plotters always writes one).
        return html! {};
    };
    let body = &text[start..];
    let Some(end) = body.find('>') else {
        return html! {};
    };
    let (open, rest) = body.split_at(end);
    // `rest` starts at the tag's `>`; an empty `<svg/>` gets its closing tag.
    let (open, rest) = match open.strip_suffix('/') {
        Some(open) => (open, "</svg>"),
        None => (open, &rest[1..]),
    };
    // maud escapes `&`, `<`, `>` and `"`: the label is safe inside a quoted attribute too.
    let escaped = html! { (label) }.into_string();
    PreEscaped(format!(
        "{open} role=\"img\" aria-label=\"{escaped}\"><title>{escaped}</title>{rest}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prolog_goes_and_the_svg_gets_a_name() {
        let svg = b"<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let out = inline(svg, "Gap > $1B & rising").into_string();
        assert!(out.starts_with("<svg width=\"10\""), "{out}");
        assert!(!out.contains("<?xml"), "{out}");
        assert!(
            out.contains("role=\"img\" aria-label=\"Gap &gt; $1B &amp; rising\""),
            "{out}"
        );
        assert!(
            out.contains("rising\"><title>Gap &gt; $1B &amp; rising</title>\n<rect/>"),
            "{out}"
        );
        assert!(out.ends_with("</svg>\n"), "{out}");
    }

    #[test]
    fn an_empty_svg_is_closed() {
        assert_eq!(
            inline(b"<svg viewBox=\"0 0 1 1\"/>", "x").into_string(),
            "<svg viewBox=\"0 0 1 1\" role=\"img\" aria-label=\"x\"><title>x</title></svg>"
        );
    }

    #[test]
    fn a_non_svg_gives_nothing() {
        assert_eq!(inline(b"<html></html>", "x").into_string(), "");
    }
}
