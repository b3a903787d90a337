//! Engine-level tests through the library API: known answers, statistics, identities,
//! reproducibility, pinned values, and agreement with the independent reference.

mod analysis;
mod batch;
mod capacity;
mod checks;
mod conditional;
mod known_answer;
mod outside_view;
mod reference;
mod revenue_forms;
mod sampling;
mod shards;
mod statistical;
mod support;
mod switches;
mod templates;
