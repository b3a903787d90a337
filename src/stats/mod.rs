//! Statistics of a run, mergeable in a fixed order so that results do not depend on the
//! thread count. A leaf of the crate: it knows nothing of scenarios, models or trials.
//!
//! - [`moments`]: Welford/Chan moments and Wilson intervals.
//! - [`sketch`]: the log-bucketed quantile sketch.
//! - [`quantile`]: exact type-7 quantiles by selection.
//! - [`sensitivity`]: per-input decile sums of the responses, and their summary.

pub mod moments;
pub mod quantile;
pub mod sensitivity;
pub mod sketch;

pub use moments::{Moments, SharedMoments, Z_95, wilson};
pub use sketch::{COARSE_BITS, FINE_BITS, Sketch};
