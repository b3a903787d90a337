//! The money coming in and the floor under it: `[cash]`, `[rounds.*]` with their
//! participants, tranches and tied spend, `[ipo]` and `[debt]`.

use super::Checker;
use super::inputs::Domain;
use crate::scenario::Cash;
use crate::scenario::raw::RawCash;

/// `[cash]`: cash at start (any sign) and the floor (≥ 0, default 0).
pub(super) fn cash(c: &mut Checker, rc: RawCash) -> Cash {
    Cash {
        initial: c.param("cash.initial", &rc.initial, Domain::Any, None),
        min_cash: c.param("cash.min_cash", &rc.min_cash, Domain::NonNeg, Some(0.0)),
    }
}
