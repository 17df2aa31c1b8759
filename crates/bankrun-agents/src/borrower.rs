//! Borrowers: rate-elastic repayment and health-factor management (reference/behaviour.md
//! §2.2 (a) and (b)).

/// Fraction of its debt an active borrower repays at a review when the borrow APR exceeds its
/// carry: `1 − exp(−η · (r_b − carry))`, 0 when the rate is below the carry.
///
/// `η` (`repay_speed`) is the repayment speed of §2.2(a), fitted to the rate-decay half-lives
/// of the table there (hours on blue-chip markets). Rates are fractions per year.
pub fn rate_repay_fraction(borrow_apr: f64, carry: f64, repay_speed: f64) -> f64 {
    let excess = borrow_apr - carry;
    if excess.is_nan() || excess <= 0.0 || repay_speed.is_nan() || repay_speed <= 0.0 {
        return 0.0;
    }
    1.0 - (-repay_speed * excess).exp()
}

/// The HF manager of §2.2(b): when `hf < act`, the fraction of debt to repay to bring the
/// health factor back to `target` (`HF' = HF / (1 − f)` ⇒ `f = 1 − HF / target`);
/// 0 otherwise.
pub fn hf_rescue_repay_fraction(hf: f64, act: f64, target: f64) -> f64 {
    // NaN inputs fall through to 0 (no repayment).
    if hf.is_nan() || act.is_nan() || target.is_nan() || hf >= act || target <= hf || hf <= 0.0 {
        return 0.0;
    }
    (1.0 - hf / target).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repayment_grows_with_the_rate_gap() {
        assert_eq!(rate_repay_fraction(0.02, 0.03, 20.0), 0.0);
        let small = rate_repay_fraction(0.04, 0.03, 20.0);
        let large = rate_repay_fraction(0.30, 0.03, 20.0);
        assert!(small > 0.0 && large > small && large < 1.0);
        assert_eq!(rate_repay_fraction(0.30, 0.03, 0.0), 0.0);
    }

    #[test]
    fn hf_manager_restores_target() {
        let f = hf_rescue_repay_fraction(1.02, 1.1, 1.3);
        assert!((1.02 / (1.0 - f) - 1.3).abs() < 1e-12);
        assert_eq!(hf_rescue_repay_fraction(1.2, 1.1, 1.3), 0.0);
    }
}
