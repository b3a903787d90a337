//! `[revenue.*]` segments, `[[revenue_correlations]]` and `[events.*]`, and references to
//! segments by name.

use indexmap::IndexMap;

use super::Checker;
use crate::scenario::did_you_mean;
use crate::scenario::raw::RawSegment;

impl Checker {
    /// Indices of the named segments; reports each name that is not a segment.
    pub(super) fn segment_refs(
        &mut self,
        path: &str,
        names: &[String],
        segments: &IndexMap<String, RawSegment>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for n in names {
            match segments.get_index_of(n.as_str()) {
                Some(i) => out.push(i),
                None => {
                    let hint = did_you_mean(n, segments.keys().map(String::as_str))
                        .map(|s| format!("; did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    self.problem(
                        path,
                        Some(format!("\"{n}\"")),
                        format!(
                            "names no revenue segment (segments: {}){hint}",
                            segments.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
            }
        }
        out
    }
}
