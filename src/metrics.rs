//! The schema of a trial's scalar results: one table, read by the trial (which fills
//! `sim::Outcome::metrics` by index), the engine (moments and sketches per metric),
//! the summary (`metrics` in summary.json), `trials.csv` (its columns) and `trace`.
//!
//! Adding a metric is one line in the [`metrics!`] invocation below, plus the line in the
//! cash loop that computes it; every output picks it up from the table.

/// One scalar result of a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    /// The name in summary.json's `metrics` and trials.csv's header.
    pub name: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// What it is and how it is computed.
    pub doc: &'static str,
}

/// Declares the metrics once: their indices (`metric::GAP`, ...), their count, their names in
/// order, and the schema table.
macro_rules! metrics {
    ($($konst:ident $name:literal $unit:literal $doc:literal;)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(usize)]
        enum Index { $($konst,)* Count }

        /// Indices into `sim::Outcome::metrics`, one per entry of [`METRICS`].
        pub mod metric {
            $(#[doc = $doc] pub const $konst: usize = super::Index::$konst as usize;)*
        }

        /// Number of scalar metrics.
        pub const N_METRICS: usize = Index::Count as usize;

        /// Names of the per-trial scalar results, in the order of
        /// `sim::Outcome::metrics`.
        pub const METRIC_NAMES: [&str; N_METRICS] = [$($name),*];

        /// The schema: every metric's name, unit and definition, in index order.
        pub const METRICS: [MetricDef; N_METRICS] =
            [$(MetricDef { name: $name, unit: $unit, doc: $doc }),*];
    };
}

metrics! {
    GAP "gap" "$B"
        "Funding gap: the least cash added at the start with which the trial, under all its rules, never falls below the floor.";
    DEFICIT "deficit" "$B"
        "Deficit: the deepest fall of cash below the floor on the trial's own path, after its deferrals and draws.";
    CASH_END "cash_end" "$B" "Cash at the end of the horizon.";
    CASH_MIN "cash_min" "$B" "Lowest cash at any step boundary, the start included.";
    REVENUE "revenue" "$B" "Cumulative revenue booked over the horizon.";
    COSTS "costs" "$B" "Cumulative other costs (everything but the obligations).";
    OBLIGATIONS "obligations_paid" "$B"
        "Cumulative obligations paid, amounts deferred into the horizon included.";
    DROPPED "obligations_deferred_past_horizon" "$B"
        "Flexible payments deferred past the horizon (they leave its accounting).";
    FUNDING_ROUNDS "funding_rounds" "$B" "Cash received from rounds inside the horizon.";
    TIED "tied_spend_new" "$B" "New obligations created by the rounds' tied spend.";
    IPO_RAISE "ipo_raise" "$B" "Cash raised at the IPO, if it happens inside the horizon.";
    DEBT "debt_drawn" "$B" "Debt drawn on the facility over the horizon.";
    INTEREST "interest" "$B" "Interest paid on drawn debt.";
    PEAK_BURN "peak_annual_burn" "$B"
        "Largest calendar-year operating burn: −(revenue − costs − obligations), 0 if none.";
    TIED_COUNTED "tied_spend_counted" "$B"
        "Tied spend that counts toward an existing contract (no new outflow), on the money received.";
    NET_NEW_CASH "round_net_new_cash" "$B"
        "Cash from rounds less the new obligations their tied spend creates.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_indices_and_names_agree() {
        assert_eq!(METRICS.len(), N_METRICS);
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(METRIC_NAMES[i], m.name);
        }
        assert_eq!(METRIC_NAMES[metric::GAP], "gap");
        assert_eq!(METRIC_NAMES[metric::NET_NEW_CASH], "round_net_new_cash");
    }

    /// The specification defines every metric of the table, and the README's list of
    /// trials.csv columns names each: a metric added here without its docs fails.
    #[test]
    fn every_metric_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_default();
        let (model, readme) = (read("docs/model.md"), read("README.md"));
        for m in &METRICS {
            let defined = if m.name == "gap" || m.name == "deficit" {
                model.contains(&format!("- **{}**", m.name))
            } else {
                model.contains(&format!("| `{}` |", m.name))
            };
            assert!(
                defined,
                "docs/model.md does not define the metric `{}`",
                m.name
            );
            assert!(
                readme.contains(m.name),
                "README.md does not list `{}`",
                m.name
            );
        }
    }
}
