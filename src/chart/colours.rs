//! Colours of counterparties, stable by name: a counterparty keeps its colour when contracts
//! are added, removed or change size, so that charts of two scenarios, or of one scenario
//! before and after an edit, can be read side by side.
//!
//! The palette is the Okabe–Ito palette without black (seven colours safe for the common
//! colour-vision deficiencies) extended by three dark colours of Paul Tol's "muted" scheme
//! (indigo, olive, wine), ten in all; the pale grey [`OTHERS`] is kept for grouped
//! counterparties. The counterparties of the shipped scenarios have fixed colours
//! ([`WELL_KNOWN`], matched without regard to case). Any other name hashes (FNV-1a, 64 bit,
//! of its lower-case UTF-8 bytes: the same on every platform and Rust version) to a slot of
//! the palette; if a name shown in the same chart already holds that slot, it takes the next
//! free one. Names are placed in a fixed order — well-known ones first, then the others by
//! name — so that the result depends only on the set of names shown, never on their sizes or
//! order. With at most ten names shown, every one gets a colour of its own.

use plotters::style::RGBColor;

/// The palette, in slot order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),   // Okabe–Ito blue
    RGBColor(230, 159, 0),   // Okabe–Ito orange
    RGBColor(0, 158, 115),   // Okabe–Ito bluish green
    RGBColor(213, 94, 0),    // Okabe–Ito vermillion
    RGBColor(86, 180, 233),  // Okabe–Ito sky blue
    RGBColor(204, 121, 167), // Okabe–Ito reddish purple
    RGBColor(240, 228, 66),  // Okabe–Ito yellow
    RGBColor(51, 34, 136),   // Tol indigo
    RGBColor(153, 153, 51),  // Tol olive
    RGBColor(136, 34, 85),   // Tol wine
];

/// The colour of counterparties grouped as "others".
pub const OTHERS: RGBColor = RGBColor(200, 200, 200);

/// Counterparties with a fixed slot of [`PALETTE`] (names in lower case). The slots are
/// chosen so that the largest contracts of the shipped scenarios, stacked next to each other,
/// differ in lightness as well as hue.
pub const WELL_KNOWN: [(&str, usize); 10] = [
    ("microsoft", 0),
    ("amazon", 1),
    ("nvidia", 2),
    ("oracle", 3),
    ("google", 4),
    ("broadcom", 5),
    ("cerebras", 6),
    ("coreweave", 7),
    ("stargate", 8),
    ("amd", 9),
];

/// The slot of `name` in [`WELL_KNOWN`], if it has one.
fn fixed_slot(name: &str) -> Option<usize> {
    WELL_KNOWN
        .iter()
        .find(|(known, _)| name.eq_ignore_ascii_case(known))
        .map(|&(_, slot)| slot)
}

/// FNV-1a (64 bit) of the lower-case name: the preferred slot of a name not well known.
fn hash_slot(name: &str) -> usize {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let h = name
        .to_lowercase()
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    (h % PALETTE.len() as u64) as usize
}

/// The colour of each of `names` (counterparties shown in one chart), in the same order.
/// Distinct names get distinct colours while there are at most [`PALETTE`]'s length of them;
/// beyond that, colours repeat. A name given twice gets one colour.
pub fn counterparty_colours(names: &[&str]) -> Vec<RGBColor> {
    // The order of placement: well-known names by slot, then the rest by name.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                fixed_slot(names[i]).is_none(),
                fixed_slot(names[i]),
                names[i],
            )
        };
        key(a).cmp(&key(b))
    });
    let mut taken = [false; PALETTE.len()];
    let mut slot_of: Vec<Option<usize>> = vec![None; names.len()];
    for &i in &order {
        if let Some(j) = (0..i).find(|&j| names[j] == names[i]) {
            slot_of[i] = slot_of[j];
            continue;
        }
        let preferred = fixed_slot(names[i]).unwrap_or_else(|| hash_slot(names[i]));
        // Linear probing from the preferred slot; with every slot taken, the preferred one.
        let slot = (0..PALETTE.len())
            .map(|k| (preferred + k) % PALETTE.len())
            .find(|&s| !taken[s])
            .unwrap_or(preferred);
        taken[slot] = true;
        slot_of[i] = Some(slot);
    }
    slot_of
        .into_iter()
        .map(|s| PALETTE[s.unwrap_or(0)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour_of(name: &str, names: &[&str]) -> RGBColor {
        let i = names.iter().position(|n| *n == name).unwrap_or(usize::MAX);
        counterparty_colours(names)[i]
    }

    #[test]
    fn well_known_names_have_fixed_colours_whatever_the_case() {
        assert_eq!(colour_of("Oracle", &["Oracle"]), PALETTE[3]);
        assert_eq!(colour_of("ORACLE", &["Acme", "ORACLE"]), PALETTE[3]);
        assert_eq!(colour_of("Microsoft", &["Zed", "Microsoft"]), PALETTE[0]);
    }

    #[test]
    fn a_colour_depends_on_the_set_of_names_not_their_order() {
        let a = ["Acme", "Chips", "Oracle", "cloud"];
        let b = ["cloud", "Oracle", "Chips", "Acme"];
        for name in a {
            assert_eq!(colour_of(name, &a), colour_of(name, &b), "{name}");
        }
    }

    #[test]
    fn names_shown_together_get_distinct_colours() {
        let names = [
            "Oracle",
            "Microsoft",
            "Nvidia",
            "Amazon",
            "Broadcom",
            "AMD",
            "Other",
            "CoreWeave",
            "Stargate",
            "Post-2030 build-out",
        ];
        let colours = counterparty_colours(&names);
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b, "{names:?} → {colours:?}");
            }
        }
    }

    #[test]
    fn a_name_not_well_known_keeps_its_hashed_colour_when_it_is_free() {
        // Pinned: the hash must not change between versions, or every chart recolours.
        assert_eq!(hash_slot("Chips"), hash_slot("chips"));
        let alone = colour_of("Chips", &["Chips"]);
        assert_eq!(alone, PALETTE[hash_slot("Chips")]);
        assert_eq!(colour_of("Chips", &["Chips", "Oracle", "Microsoft"]), alone);
    }
}
